//! Between the wire and the store: messages into the rules' types (a bad one is
//! `INVALID_ARGUMENT`, naming the field), rows into messages, refusals into status codes.

use orgcells_core::claims::{BucketType, SourceTable, SubjectType};
use orgcells_store::StoreError;
use orgcells_store::topology::{CellRow, ClaimError, ClaimRow, NewClaim};
use tonic::Status;

use crate::proto;

/// `cell` as the wire has it, with how many Organizations it holds when that was asked.
pub(crate) fn cell_info(cell: &CellRow, organizations_count: Option<i64>) -> proto::CellInfo {
    proto::CellInfo {
        id: cell.id,
        name: cell.name.clone(),
        address: cell.address.clone(),
        session_prefix: cell.session_prefix.clone(),
        sequence_ranges: vec![proto::SequenceRange {
            minval: cell.id_min,
            maxval: cell.id_max,
        }],
        organizations_count,
    }
}

pub(crate) fn bucket_type(number: i32, field: &str) -> Result<BucketType, Status> {
    BucketType::from_number(number).ok_or_else(|| {
        Status::invalid_argument(format!("{field} has an unknown bucket type {number}"))
    })
}

/// A bucket named in a request: its type and value.
pub(crate) fn bucket(
    bucket: Option<&proto::Bucket>,
    field: &str,
) -> Result<(BucketType, String), Status> {
    let bucket = bucket.ok_or_else(|| Status::invalid_argument(format!("{field} is missing")))?;
    Ok((bucket_type(bucket.r#type, field)?, bucket.value.clone()))
}

pub(crate) fn new_claim(metadata: &proto::Metadata, field: &str) -> Result<NewClaim, Status> {
    let (bucket, value) = bucket(metadata.bucket.as_ref(), &format!("{field}.bucket"))?;
    let subject = metadata
        .subject
        .as_ref()
        .ok_or_else(|| Status::invalid_argument(format!("{field}.subject is missing")))?;
    let source = metadata
        .source
        .as_ref()
        .ok_or_else(|| Status::invalid_argument(format!("{field}.source is missing")))?;
    Ok(NewClaim {
        bucket,
        value,
        subject: SubjectType::from_number(subject.r#type).ok_or_else(|| {
            Status::invalid_argument(format!(
                "{field}.subject has an unknown type {}",
                subject.r#type
            ))
        })?,
        subject_id: subject.id,
        source: SourceTable::from_number(source.r#type).ok_or_else(|| {
            Status::invalid_argument(format!(
                "{field}.source has an unknown type {}",
                source.r#type
            ))
        })?,
        source_id: source.id,
    })
}

pub(crate) fn record(row: &ClaimRow) -> proto::Record {
    proto::Record {
        uuid: row.uuid.clone(),
        metadata: Some(proto::Metadata {
            bucket: Some(proto::Bucket {
                r#type: row.bucket.number(),
                value: row.value.clone(),
            }),
            subject: Some(proto::Subject {
                r#type: row.subject.number(),
                id: row.subject_id,
            }),
            source: Some(proto::Source {
                r#type: row.source.number(),
                id: row.source_id,
            }),
        }),
        cell_id: row.cell_id,
        status: row.status.number(),
        lease_uuid: row.lease_uuid.clone(),
        created_at: row.created_at,
    }
}

/// A cursor or limit from a list request: at least 1, at most the store's page.
pub(crate) fn limit(limit: Option<i32>) -> i64 {
    limit.map_or(orgcells_store::topology::MAX_PAGE, |l| i64::from(l.max(1)))
}

/// A refusal as the status a client acts on: taken is `ALREADY_EXISTS`, leased is
/// `FAILED_PRECONDITION` (retry later), another Cell's claim is `PERMISSION_DENIED`, a busy
/// database is `UNAVAILABLE`.
pub(crate) fn refusal(error: ClaimError) -> Status {
    let message = error.to_string();
    match error {
        ClaimError::Invalid(_) => Status::invalid_argument(message),
        ClaimError::UnknownCell(_)
        | ClaimError::UnknownLease(_)
        | ClaimError::NotClaimed { .. } => Status::not_found(message),
        ClaimError::Taken { .. } => Status::already_exists(message),
        ClaimError::Leased { .. } | ClaimError::Moving(_) => Status::failed_precondition(message),
        ClaimError::NotHolder { .. } | ClaimError::NotLeaseHolder(_) => {
            Status::permission_denied(message)
        }
        ClaimError::Busy(_) => Status::unavailable(message),
        ClaimError::Store(error) => store(error),
    }
}

pub(crate) fn store(error: StoreError) -> Status {
    match error {
        StoreError::Busy(_) | StoreError::Unreachable(_) => Status::unavailable(error.to_string()),
        other => {
            tracing::error!(error = %other, "topology store");
            Status::internal("the topology store failed")
        }
    }
}
