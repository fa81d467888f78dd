//! Paths and names (GitLab's `Gitlab::PathRegex` and the Organization model's rules).
//!
//! Each check returns `Err(message)` with GitLab's wording, for the caller to attach to its field.

/// Words that may not be the path of a top-level Group or a username, because the top level of
/// the URL space is GitLab's own (`config/routes.rb`), plus the static files at the root.
pub const RESERVED_TOP_LEVEL: &[&str] = &[
    "-",
    ".well-known",
    "404.html",
    "422.html",
    "500.html",
    "502.html",
    "503.html",
    "admin",
    "api",
    "apple-touch-icon.png",
    "apple-touch-icon-precomposed.png",
    "assets",
    "dashboard",
    "deploy.html",
    "explore",
    "favicon.ico",
    "favicon.png",
    "files",
    "groups",
    "health_check",
    "help",
    "import",
    "jwt",
    "login",
    "o",
    "oauth",
    "profile",
    "projects",
    "public",
    "robots.txt",
    "s",
    "search",
    "sitemap",
    "sitemap.xml",
    "sitemap.xml.gz",
    "slash-command-logo.png",
    "snippets",
    "unsubscribes",
    "uploads",
    "users",
    "v2",
];

/// Words that may not be the path of a subgroup or Project: GitLab's routes below a namespace.
pub const RESERVED_BELOW_NAMESPACE: &[&str] = &["-"];

pub const MAX_PATH_LENGTH: usize = 255;
pub const MAX_NAME_LENGTH: usize = 255;

const PATH_FORMAT: &str = "can contain only letters, digits, '_', '-' and '.'. \
    It must not start or end with a special character, contain consecutive special characters, \
    or end in '.git' or '.atom'";

/// Where a path will live, which decides the reserved words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathPlace {
    /// A top-level Group, or a username (the personal namespace is top-level).
    TopLevel,
    /// A subgroup or a Project.
    BelowNamespace,
}

/// A Group, Project or user namespace path, or a username.
pub fn check_path(path: &str, place: PathPlace) -> Result<(), String> {
    if path.is_empty() {
        return Err("can't be blank".into());
    }
    if path.chars().count() > MAX_PATH_LENGTH {
        return Err(format!(
            "is too long (maximum is {MAX_PATH_LENGTH} characters)"
        ));
    }
    if !path_format_ok(path) {
        return Err(PATH_FORMAT.into());
    }
    let lower = path.to_ascii_lowercase();
    let reserved = match place {
        PathPlace::TopLevel => RESERVED_TOP_LEVEL,
        PathPlace::BelowNamespace => RESERVED_BELOW_NAMESPACE,
    };
    if reserved.contains(&lower.as_str()) {
        return Err(format!("{path} is a reserved name"));
    }
    Ok(())
}

fn path_format_ok(path: &str) -> bool {
    let bytes = path.as_bytes();
    let special = |b: u8| matches!(b, b'_' | b'-' | b'.');
    let allowed = |b: u8| b.is_ascii_alphanumeric() || special(b);
    if !bytes.iter().all(|b| allowed(*b)) {
        return false;
    }
    let (first, last) = (bytes[0], bytes[bytes.len() - 1]);
    if special(first) || special(last) {
        return false;
    }
    if bytes
        .windows(2)
        .any(|pair| special(pair[0]) && special(pair[1]))
    {
        return false;
    }
    let lower = path.to_ascii_lowercase();
    !(lower.ends_with(".git") || lower.ends_with(".atom"))
}

/// An Organization path: 2 to 255 of letters, digits, `_` and `-`, not starting with `-`.
pub fn check_organization_path(path: &str) -> Result<(), String> {
    let length = path.chars().count();
    if length < 2 {
        return Err("is too short (minimum is 2 characters)".into());
    }
    if length > MAX_PATH_LENGTH {
        return Err(format!(
            "is too long (maximum is {MAX_PATH_LENGTH} characters)"
        ));
    }
    let bytes = path.as_bytes();
    let ok = bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        && bytes[0] != b'-';
    if ok {
        Ok(())
    } else {
        Err("can contain only letters, digits, '_' and '-', and must not start with '-'".into())
    }
}

/// A Group or Project name: letters, digits, emoji, `_`, `.`, `-`, `+`, spaces and parentheses,
/// starting with a letter, digit, emoji or `_`.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("can't be blank".into());
    }
    check_length(name, MAX_NAME_LENGTH)?;
    let allowed = |c: char| c.is_alphanumeric() || !c.is_ascii() || "_.-+ ()".contains(c);
    let first = name.chars().next().unwrap_or(' ');
    let first_ok = first.is_alphanumeric() || !first.is_ascii() || first == '_';
    if first_ok && name.chars().all(allowed) && !name.chars().any(char::is_control) {
        Ok(())
    } else {
        Err("can contain only letters, digits, emoji, '_', '.', '+', dashes, spaces and parentheses. \
             It must start with a letter, digit, emoji, or '_'."
            .into())
    }
}

/// A free-text field no longer than `max` characters.
pub fn check_length(value: &str, max: usize) -> Result<(), String> {
    if value.chars().count() > max {
        Err(format!("is too long (maximum is {max} characters)"))
    } else {
        Ok(())
    }
}

/// A non-blank free-text field (a User's or Organization's name).
pub fn check_present(value: &str, max: usize) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("can't be blank".into());
    }
    check_length(value, max)
}

/// An email address: one `@`, something on each side, a dot in the domain, no spaces.
pub fn check_email(email: &str) -> Result<(), String> {
    check_length(email, MAX_NAME_LENGTH)?;
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if valid {
        Ok(())
    } else {
        Err("is invalid".into())
    }
}

#[cfg(test)]
mod tests {
    use super::PathPlace::{BelowNamespace, TopLevel};
    use super::*;

    #[test]
    fn paths() {
        let long = "a".repeat(256);
        let cases: &[(&str, PathPlace, bool)] = &[
            ("acme", TopLevel, true),
            ("acme-platform", TopLevel, true),
            ("acme_platform.v2", TopLevel, true),
            ("A1", TopLevel, true),
            ("a", TopLevel, true),
            ("", TopLevel, false),
            ("-acme", TopLevel, false),
            ("acme-", TopLevel, false),
            (".acme", TopLevel, false),
            ("_acme", TopLevel, false),
            ("acme..x", TopLevel, false),
            ("acme-_x", TopLevel, false),
            ("acme.git", TopLevel, false),
            ("acme.ATOM", TopLevel, false),
            ("ac me", TopLevel, false),
            ("acmé", TopLevel, false),
            ("acme/x", TopLevel, false),
            (&long, TopLevel, false),
            ("admin", TopLevel, false),
            ("API", TopLevel, false),
            ("groups", TopLevel, false),
            ("users", TopLevel, false),
            ("explore", TopLevel, false),
            ("v2", TopLevel, false),
            ("admin", BelowNamespace, true),
            ("api", BelowNamespace, true),
            ("-", BelowNamespace, false),
        ];
        for (path, place, ok) in cases {
            assert_eq!(
                check_path(path, *place).is_ok(),
                *ok,
                "{path:?} at {place:?}: {:?}",
                check_path(path, *place)
            );
        }
    }

    #[test]
    fn organization_paths() {
        let cases = [
            ("acme", true),
            ("ac", true),
            ("a", false),
            ("acme-corp_1", true),
            ("_acme", true),
            ("-acme", false),
            ("acme.corp", false),
            ("acme corp", false),
        ];
        for (path, ok) in cases {
            assert_eq!(check_organization_path(path).is_ok(), ok, "{path:?}");
        }
        assert!(check_organization_path(&"a".repeat(255)).is_ok());
        assert!(check_organization_path(&"a".repeat(256)).is_err());
    }

    #[test]
    fn names_and_emails() {
        let names = [
            ("Acme Platform", true),
            ("api (v2)", true),
            ("_private", true),
            ("c++", true),
            ("Ünïcode 🚀", true),
            ("", false),
            ("  ", false),
            ("-dash", false),
            ("semi;colon", false),
            ("<script>", false),
        ];
        for (name, ok) in names {
            assert_eq!(check_name(name).is_ok(), ok, "{name:?}");
        }
        let emails = [
            ("sasha@example.com", true),
            ("a.b+c@sub.example.org", true),
            ("no-at.example.com", false),
            ("two@@example.com", false),
            ("@example.com", false),
            ("sasha@localhost", false),
            ("sp ace@example.com", false),
        ];
        for (email, ok) in emails {
            assert_eq!(check_email(email).is_ok(), ok, "{email:?}");
        }
    }
}
