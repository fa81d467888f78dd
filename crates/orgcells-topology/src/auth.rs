//! The parts of a cluster authenticate each other with a shared secret: every call carries
//! `authorization: Bearer <secret>`, and the topology answers no one else. The secret is
//! compared by its SHA-256 digest, so the comparison takes the same time whatever it is.

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

    fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

impl std::fmt::Debug for ClusterSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClusterSecret(..)")
    }
}

/// On a server: refuses calls without the secret (`UNAUTHENTICATED`).
#[derive(Debug, Clone)]
pub struct RequireSecret(ClusterSecret);

impl RequireSecret {
    pub fn new(secret: ClusterSecret) -> RequireSecret {
        RequireSecret(secret)
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
        if presented == Some(self.0.digest()) {
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
