//! Which Cell holds an Organization path, a top-level route or an id, as the topology says,
//! remembered with a bound and an expiry. A miss (the key is unknown, so the first Cell answers)
//! is remembered for a shorter time, since the key may be created any moment. While the topology
//! cannot be reached, what is remembered keeps routing, however old.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use orgcells_topology::proto::ClassifyType;
use orgcells_topology::{Directory, Unanswered};
use quick_cache::sync::Cache;

/// A key the topology classifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    OrganizationPath,
    /// A top-level Group's or personal namespace's path (or a redirect route to one).
    TopLevel,
    /// A Group's (or personal namespace's), a Project's or an Organization's id: the Cell of its
    /// range, or the one its moved Organization went to.
    NamespaceId,
    ProjectId,
    OrganizationId,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    kind: Kind,
    /// Lowercased: paths are unique case-insensitively.
    value: String,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    cell: u16,
    found: bool,
    at: Instant,
}

/// How long answers are remembered.
#[derive(Debug, Clone, Copy)]
pub struct Expiry {
    /// The most classifications remembered.
    pub capacity: usize,
    /// How long a found key is trusted before it is asked again.
    pub found: Duration,
    /// How long a miss is.
    pub missing: Duration,
}

impl Default for Expiry {
    fn default() -> Expiry {
        Expiry {
            capacity: 100_000,
            found: Duration::from_secs(60),
            missing: Duration::from_secs(1),
        }
    }
}

/// A classification: the Cell's id, and the key it was remembered under when it came from
/// memory (so that a stale answer can be forgotten).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub cell: u16,
    pub remembered: Option<Key>,
}

pub struct Classifier {
    directory: Directory,
    cache: Cache<Key, Entry>,
    expiry: Expiry,
    /// Moved on by [`Classifier::forget_all`]: an answer asked for before it is not kept.
    generation: AtomicU64,
}

impl Classifier {
    pub fn new(directory: Directory, expiry: Expiry) -> Classifier {
        Classifier {
            directory,
            cache: Cache::new(expiry.capacity.max(1)),
            expiry,
            generation: AtomicU64::new(0),
        }
    }

    /// The Cell `value` (a path of `kind`) belongs to; the first Cell's when it is unknown.
    pub async fn cell_of(&self, kind: Kind, value: &str) -> Result<Classification, Unanswered> {
        let key = Key {
            kind,
            value: value.to_ascii_lowercase(),
        };
        let remembered = self.cache.get(&key);
        if let Some(entry) = remembered {
            let lifetime = if entry.found {
                self.expiry.found
            } else {
                self.expiry.missing
            };
            if entry.at.elapsed() < lifetime {
                return Ok(Classification {
                    cell: entry.cell,
                    remembered: Some(key),
                });
            }
        }
        let generation = self.generation.load(Ordering::Acquire);
        match self.ask(kind, &key.value).await {
            Ok((cell, found)) => {
                // An answer that crossed a move is used once, not remembered.
                if self.generation.load(Ordering::Acquire) != generation {
                    return Ok(Classification {
                        cell,
                        remembered: None,
                    });
                }
                self.cache.insert(
                    key,
                    Entry {
                        cell,
                        found,
                        at: Instant::now(),
                    },
                );
                Ok(Classification {
                    cell,
                    remembered: None,
                })
            }
            // The topology is away: an old answer is better than none.
            Err(error) => match remembered {
                Some(entry) => {
                    tracing::debug!(%error, "routing from an expired classification");
                    Ok(Classification {
                        cell: entry.cell,
                        remembered: Some(key),
                    })
                }
                None => Err(error),
            },
        }
    }

    /// Marks a remembered classification as doubtful (its Cell answered 404): the next request
    /// asks the topology again, but the answer stays as the fallback while the topology is
    /// away. At most once a [`Expiry::missing`] per key, so 404s cannot turn every request
    /// into a question to the topology.
    pub fn doubt(&self, key: &Key) {
        if let Some(entry) = self.cache.get(key)
            && entry.at.elapsed() >= self.expiry.missing
        {
            let past = self.expiry.found.max(self.expiry.missing);
            let at = Instant::now().checked_sub(past).unwrap_or(entry.at);
            self.cache.insert(key.clone(), Entry { at, ..entry });
        }
    }

    /// Forgets everything remembered: an Organization moved, and any path or id may have
    /// gone with it (moves are rare; the next requests ask again).
    pub fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.cache.clear();
    }

    async fn ask(&self, kind: Kind, value: &str) -> Result<(u16, bool), Unanswered> {
        let types: &[ClassifyType] = match kind {
            // An old path of a renamed Organization leads to it until a path takes it again.
            Kind::OrganizationPath => &[
                ClassifyType::OrganizationPath,
                ClassifyType::OrganizationRedirect,
            ],
            Kind::TopLevel => &[ClassifyType::Route, ClassifyType::RedirectRoute],
            Kind::NamespaceId => &[ClassifyType::NamespaceId],
            Kind::ProjectId => &[ClassifyType::ProjectId],
            Kind::OrganizationId => &[ClassifyType::OrganizationId],
        };
        let mut first = None;
        for kind in types {
            let answer = self.directory.classify(*kind, value).await?;
            if answer.found {
                return Ok((answer.cell.id, true));
            }
            first = Some(answer.cell.id);
        }
        first
            .map(|cell| (cell, false))
            .ok_or_else(|| Unanswered("nothing was asked".to_owned()))
    }
}
