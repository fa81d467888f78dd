//! The time, read in one place.

use time::OffsetDateTime;

/// Milliseconds since the Unix epoch.
pub(crate) fn now() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Today's date, `YYYY-MM-DD` (UTC): memberships and links expiring today have expired.
pub(crate) fn today() -> String {
    let date = OffsetDateTime::now_utc().date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Tomorrow's date, `YYYY-MM-DD` (UTC).
pub(crate) fn tomorrow() -> String {
    days_from_today(1)
}

/// The date `days` after today, `YYYY-MM-DD` (UTC).
pub(crate) fn days_from_today(days: i64) -> String {
    let date = OffsetDateTime::now_utc()
        .date()
        .checked_add(time::Duration::days(days))
        .unwrap_or(time::Date::MAX);
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Checks a `YYYY-MM-DD` date.
pub(crate) fn parse_date(value: &str) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value, &format)
        .ok()
        .map(|_| value.to_owned())
}
