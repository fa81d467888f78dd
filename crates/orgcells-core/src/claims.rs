//! Claims on globally unique values, as the topology service keeps them (GitLab's Topology
//! Service claims): which kinds of value there are, how a value is compared, what holds it and
//! which Cell row it stands for. The numbers are the wire's (`topology.proto`) and the stored
//! ones.

/// The kinds of globally unique value (GitLab's claim buckets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BucketType {
    /// A full path of a Group, Project or personal namespace.
    Routes,
    OrganizationPath,
    RedirectRoutes,
    Usernames,
    Emails,
    UserIds,
    ProjectIds,
    NamespaceIds,
    OrganizationIds,
    /// An old path of a renamed Organization, leading to it until the path is taken again.
    OrganizationRedirects,
}

/// The longest value a claim holds (GitLab's `bucket_value STRING(1024)`).
pub const MAX_VALUE_LENGTH: usize = 1024;

impl BucketType {
    pub const ALL: [BucketType; 10] = [
        BucketType::Routes,
        BucketType::OrganizationPath,
        BucketType::RedirectRoutes,
        BucketType::Usernames,
        BucketType::Emails,
        BucketType::UserIds,
        BucketType::ProjectIds,
        BucketType::NamespaceIds,
        BucketType::OrganizationIds,
        BucketType::OrganizationRedirects,
    ];

    pub fn number(self) -> i32 {
        match self {
            BucketType::Routes => 1,
            BucketType::OrganizationPath => 2,
            BucketType::RedirectRoutes => 3,
            BucketType::Usernames => 4,
            BucketType::Emails => 5,
            BucketType::UserIds => 6,
            BucketType::ProjectIds => 7,
            BucketType::NamespaceIds => 8,
            BucketType::OrganizationIds => 9,
            BucketType::OrganizationRedirects => 10,
        }
    }

    pub fn from_number(number: i32) -> Option<BucketType> {
        BucketType::ALL.into_iter().find(|b| b.number() == number)
    }

    /// Whether the bucket holds ids (compared as numbers) rather than text.
    pub fn holds_ids(self) -> bool {
        matches!(
            self,
            BucketType::UserIds
                | BucketType::ProjectIds
                | BucketType::NamespaceIds
                | BucketType::OrganizationIds
        )
    }

    /// The value as it is compared and stored: text case-insensitively (lowercase), an id in
    /// its canonical decimal form. `None` for a value no claim may hold (empty, too long, an
    /// id that is not a positive integer).
    pub fn normalize(self, value: &str) -> Option<String> {
        if self.holds_ids() {
            return value
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(|id| id.to_string());
        }
        if value.is_empty() || value.chars().count() > MAX_VALUE_LENGTH {
            return None;
        }
        Some(value.to_lowercase())
    }
}

/// What holds a claimed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectType {
    Organization,
    Group,
    Project,
    User,
}

impl SubjectType {
    pub fn number(self) -> i32 {
        match self {
            SubjectType::Organization => 1,
            SubjectType::Group => 2,
            SubjectType::Project => 3,
            SubjectType::User => 4,
        }
    }

    pub fn from_number(number: i32) -> Option<SubjectType> {
        [
            SubjectType::Organization,
            SubjectType::Group,
            SubjectType::Project,
            SubjectType::User,
        ]
        .into_iter()
        .find(|s| s.number() == number)
    }
}

/// The Cell table whose row a claim stands for (the reconciler looks it up there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceTable {
    Users,
    Emails,
    Routes,
    Projects,
    Namespaces,
    Organizations,
    RedirectRoutes,
}

impl SourceTable {
    pub fn number(self) -> i32 {
        match self {
            SourceTable::Users => 1,
            SourceTable::Emails => 2,
            SourceTable::Routes => 3,
            SourceTable::Projects => 4,
            SourceTable::Namespaces => 5,
            SourceTable::Organizations => 6,
            SourceTable::RedirectRoutes => 7,
        }
    }

    pub fn from_number(number: i32) -> Option<SourceTable> {
        [
            SourceTable::Users,
            SourceTable::Emails,
            SourceTable::Routes,
            SourceTable::Projects,
            SourceTable::Namespaces,
            SourceTable::Organizations,
            SourceTable::RedirectRoutes,
        ]
        .into_iter()
        .find(|s| s.number() == number)
    }
}

/// Where a claim stands: held, or leased by an update not yet committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordStatus {
    Active,
    /// Created by a lease: the value is taken, and goes if the lease is rolled back.
    LeaseCreating,
    /// Destroyed by a lease: the value is still taken, and goes when the lease commits.
    LeaseDestroying,
}

impl RecordStatus {
    pub fn number(self) -> i32 {
        match self {
            RecordStatus::Active => 1,
            RecordStatus::LeaseCreating => 2,
            RecordStatus::LeaseDestroying => 3,
        }
    }

    pub fn from_number(number: i32) -> Option<RecordStatus> {
        [
            RecordStatus::Active,
            RecordStatus::LeaseCreating,
            RecordStatus::LeaseDestroying,
        ]
        .into_iter()
        .find(|s| s.number() == number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for bucket in BucketType::ALL {
            assert_eq!(BucketType::from_number(bucket.number()), Some(bucket));
        }
        assert_eq!(BucketType::from_number(0), None);
        assert_eq!(BucketType::from_number(11), None);
        for number in 1..=4 {
            assert_eq!(
                SubjectType::from_number(number).map(SubjectType::number),
                Some(number)
            );
        }
        for number in 1..=7 {
            assert_eq!(
                SourceTable::from_number(number).map(SourceTable::number),
                Some(number)
            );
        }
        for number in 1..=3 {
            assert_eq!(
                RecordStatus::from_number(number).map(RecordStatus::number),
                Some(number)
            );
        }
        assert_eq!(RecordStatus::from_number(0), None);
    }

    #[test]
    fn values_are_compared_as_the_bucket_compares_them() {
        let cases: &[(BucketType, &str, Option<&str>)] = &[
            (BucketType::Routes, "Acme/Platform", Some("acme/platform")),
            (BucketType::Usernames, "Sasha", Some("sasha")),
            (
                BucketType::Emails,
                "Cameron@Example.COM",
                Some("cameron@example.com"),
            ),
            (BucketType::OrganizationPath, "", None),
            (BucketType::ProjectIds, "0042", Some("42")),
            (BucketType::ProjectIds, "-1", None),
            (BucketType::UserIds, "0", None),
            (BucketType::NamespaceIds, "12a", None),
        ];
        for (bucket, value, expected) in cases {
            assert_eq!(
                bucket.normalize(value).as_deref(),
                *expected,
                "{bucket:?} {value:?}"
            );
        }
        let long = "a".repeat(MAX_VALUE_LENGTH + 1);
        assert_eq!(BucketType::Routes.normalize(&long), None);
    }
}
