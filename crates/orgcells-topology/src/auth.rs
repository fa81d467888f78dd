//! The parts of a cluster authenticate each other with a shared secret: every call carries
//! `authorization: Bearer <secret>`, and the topology answers no one else. The secret is
//! compared by its SHA-256 digest, so the comparison takes the same time whatever it is.
//!
//! A router, which faces the internet, is given less: a credential derived from the secret
//! ([`ClusterSecret::for_router`]) that lists the Cells and classifies, and nothing more. It can
//! neither claim nor read the change log of Users and tokens.

use sha2::{Digest, Sha256};
use tonic::metadata::MetadataValue;
use tonic::service::Interceptor;
use tonic::{Request, Status};

/// The cluster's shared secret. Its `Debug` form never shows it.
#[derive(Clone)]
pub struct ClusterSecret(String);

impl ClusterSecret {
    /// A secret of at least 16 characters; `None` for a shorter one.
    pub fn new(secret: &str) -> Option<ClusterSecret> {
        (secret.chars().count() >= 16).then(|| ClusterSecret(secret.to_owned()))
    }

    /// The secret itself, to hand to a part of the cluster (through its environment).
    pub fn reveal(&self) -> &str {
        &self.0
    }

    fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }

    /// The router's credential: derived from the secret (so the topology knows it without
    /// being told), and good for `CellService` and `ClassifyService` alone.
    pub fn for_router(&self) -> ClusterSecret {
        let derived = Sha256::digest(format!("orgcells router credential\0{}", self.0).as_bytes());
        let hex: String = derived.iter().map(|b| format!("{b:02x}")).collect();
        ClusterSecret(format!("router-{hex}"))
    }
}

impl std::fmt::Debug for ClusterSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClusterSecret(..)")
    }
}

/// On a server: refuses calls without the secret (`UNAUTHENTICATED`), or, for the services a
/// router may call, without the secret or the router's credential.
#[derive(Debug, Clone)]
pub struct RequireSecret {
    secret: [u8; 32],
    router: Option<[u8; 32]>,
}

impl RequireSecret {
    /// The cluster secret and nothing else.
    pub fn new(secret: ClusterSecret) -> RequireSecret {
        RequireSecret {
            secret: secret.digest(),
            router: None,
        }
    }

    /// The cluster secret, or the router's credential derived from it.
    pub fn or_router(secret: ClusterSecret) -> RequireSecret {
        RequireSecret {
            router: Some(secret.for_router().digest()),
            secret: secret.digest(),
        }
    }
}

impl Interceptor for RequireSecret {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        let presented = request
            .metadata()
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(|secret| <[u8; 32]>::from(Sha256::digest(secret.as_bytes())));
        let accepted = presented.is_some_and(|p| p == self.secret || Some(p) == self.router);
        if accepted {
            Ok(request)
        } else {
            Err(Status::unauthenticated(
                "the cluster secret is missing or wrong",
            ))
        }
    }
}

/// On a client: adds the secret to every call.
#[derive(Debug, Clone)]
pub struct PresentSecret(ClusterSecret);

impl PresentSecret {
    pub fn new(secret: ClusterSecret) -> PresentSecret {
        PresentSecret(secret)
    }
}

impl Interceptor for PresentSecret {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let value = MetadataValue::try_from(format!("Bearer {}", (self.0).0))
            .map_err(|_| Status::internal("the cluster secret is not a valid header value"))?;
        request.metadata_mut().insert("authorization", value);
        Ok(request)
    }
}
