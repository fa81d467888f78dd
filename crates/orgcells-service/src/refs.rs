/// How a request names a Group, Project, User or Organization: by id or by (full) path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    Id(i64),
    Path(String),
}

impl Ref {
    /// GitLab's rule: all digits (optionally negative) is an id, anything else a path.
    pub fn parse(raw: &str) -> Ref {
        match raw.parse::<i64>() {
            Ok(id) => Ref::Id(id),
            Err(_) => Ref::Path(raw.to_owned()),
        }
    }
}
