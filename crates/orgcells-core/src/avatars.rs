//! An uploaded avatar: a PNG, JPEG or GIF image, known by its content (not its name or the
//! type a client claims), at most 200 KiB, as GitLab's avatar uploader allows.

/// The most an avatar may weigh (GitLab's `Avatarable::MAXIMUM_FILE_SIZE`).
pub const MAX_BYTES: usize = 200 * 1024;

/// The image types taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    Png,
    Jpeg,
    Gif,
}

impl ImageType {
    pub fn content_type(self) -> &'static str {
        match self {
            ImageType::Png => "image/png",
            ImageType::Jpeg => "image/jpeg",
            ImageType::Gif => "image/gif",
        }
    }

    pub fn from_content_type(name: &str) -> Option<ImageType> {
        [ImageType::Png, ImageType::Jpeg, ImageType::Gif]
            .into_iter()
            .find(|t| t.content_type() == name)
    }
}

/// The type of an uploaded image, or why it is refused (GitLab's words, for the `avatar` field).
pub fn check(bytes: &[u8]) -> Result<ImageType, &'static str> {
    if bytes.len() > MAX_BYTES {
        return Err("is too big (should be at most 200 KiB)");
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Ok(ImageType::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok(ImageType::Jpeg)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Ok(ImageType::Gif)
    } else {
        Err(
            "file format is not supported. Please try one of the following supported formats: png, jpg, jpeg, gif",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_content() {
        const UNSUPPORTED: &str = "file format is not supported. Please try one of the following supported formats: png, jpg, jpeg, gif";
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
        let mut too_big = png.to_vec();
        too_big.resize(MAX_BYTES + 1, 0);
        let mut largest = png.to_vec();
        largest.resize(MAX_BYTES, 0);
        // (bytes, answer); one line per case.
        let cases: Vec<(Vec<u8>, Result<ImageType, &str>)> = vec![
            (png.to_vec(), Ok(ImageType::Png)),
            (vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], Ok(ImageType::Jpeg)),
            (b"GIF89a\x01\x00".to_vec(), Ok(ImageType::Gif)),
            (b"GIF87a\x01\x00".to_vec(), Ok(ImageType::Gif)),
            (largest, Ok(ImageType::Png)),
            (too_big, Err("is too big (should be at most 200 KiB)")),
            (
                b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
                Err(UNSUPPORTED),
            ),
            (b"\x89PNX".to_vec(), Err(UNSUPPORTED)),
            (Vec::new(), Err(UNSUPPORTED)),
        ];
        for (bytes, answer) in cases {
            assert_eq!(check(&bytes), answer, "{:?}", &bytes[..bytes.len().min(8)]);
        }
        for t in [ImageType::Png, ImageType::Jpeg, ImageType::Gif] {
            assert_eq!(ImageType::from_content_type(t.content_type()), Some(t));
        }
    }
}
