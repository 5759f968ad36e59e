//! Constraint values: instants, windows, durations and argument conditions,
//! parsed once so that a decision only compares.

use std::time::Duration;

use jiff::Timestamp;
use serde_json::Value;

use super::rules::ArgumentRule;

/// Parses an instant: an RFC 3339 timestamp (`2027-01-01T00:00:00Z`) or a
/// date (`2027-01-01`), which means its midnight UTC.
pub fn parse_instant(text: &str) -> Result<Timestamp, String> {
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Ok(timestamp);
    }
    let date = text.parse::<jiff::civil::Date>().map_err(|_| {
        format!("`{text}` is neither an RFC 3339 timestamp (`2027-01-01T00:00:00Z`) nor a date (`2027-01-01`)")
    })?;
    date.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|zoned| zoned.timestamp())
        .map_err(|e| format!("`{text}`: {e}"))
}

/// Parses a positive duration: `10s`, `1m`, `1h 30m`, `PT1M`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let signed: jiff::SignedDuration = text
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like `10s`, `1m` or `1h`"))?;
    match Duration::try_from(signed) {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        _ => Err(format!("`{text}` is not a positive duration")),
    }
}

/// When a capability applies: from (inclusive) until (exclusive).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// The first instant it applies.
    pub from: Option<Timestamp>,
    /// The first instant it no longer applies.
    pub until: Option<Timestamp>,
}

/// Where `now` falls relative to a [`Window`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InWindow {
    /// Inside.
    Yes,
    /// Before `from`.
    Early(Timestamp),
    /// At or after `until`.
    Late(Timestamp),
}

impl Window {
    /// Where `now` falls.
    pub fn place(&self, now: Timestamp) -> InWindow {
        match (self.from, self.until) {
            (Some(from), _) if now < from => InWindow::Early(from),
            (_, Some(until)) if now >= until => InWindow::Late(until),
            _ => InWindow::Yes,
        }
    }
}

/// Looks up a dotted path (`filters.category`) in the arguments.
pub fn lookup<'a>(arguments: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(arguments, |value, key| value.as_object()?.get(key))
}

/// Checks one argument; on failure says what it must be.
pub fn check_argument(rule: &ArgumentRule, value: Option<&Value>) -> Result<(), String> {
    let Some(value) = value else {
        return Err("must be present".into());
    };
    if let Some(prefix) = &rule.starts_with {
        let ok = value.as_str().is_some_and(|s| starts_with(s, prefix));
        if !ok {
            return Err(format!("must start with `{prefix}`"));
        }
    }
    if let Some(allowed) = &rule.one_of
        && !allowed.contains(value)
    {
        let listed: Vec<String> = allowed.iter().map(Value::to_string).collect();
        return Err(format!("must be one of {}", listed.join(", ")));
    }
    if let Some(min) = rule.min
        && !value.as_f64().is_some_and(|n| n >= min)
    {
        return Err(format!("must be a number no less than {min}"));
    }
    if let Some(max) = rule.max
        && !value.as_f64().is_some_and(|n| n <= max)
    {
        return Err(format!("must be a number no greater than {max}"));
    }
    Ok(())
}

/// A plain prefix test, except for path prefixes (starting with `/`): those
/// match whole segments only and refuse `.`/`..` segments, so neither
/// `/srv/publicity` nor `/srv/public/../secrets` passes `/srv/public`.
fn starts_with(value: &str, prefix: &str) -> bool {
    if !prefix.starts_with('/') {
        return value.starts_with(prefix);
    }
    if value
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return false;
    }
    match value.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || prefix.ends_with('/') || rest.starts_with('/'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn instants_and_durations() {
        assert_eq!(
            parse_instant("2027-01-01").unwrap(),
            parse_instant("2027-01-01T00:00:00Z").unwrap()
        );
        assert!(parse_instant("tomorrow").is_err());
        assert_eq!(parse_duration("1m").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("1h 30m").unwrap(), Duration::from_secs(5400));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn window_bounds() {
        let t = |s| parse_instant(s).unwrap();
        let window = Window {
            from: Some(t("2026-01-01")),
            until: Some(t("2027-01-01")),
        };
        assert_eq!(window.place(t("2026-01-01")), InWindow::Yes);
        assert!(matches!(
            window.place(t("2025-12-31T23:59:59Z")),
            InWindow::Early(_)
        ));
        assert!(matches!(window.place(t("2027-01-01")), InWindow::Late(_)));
        assert_eq!(window.place(t("2026-12-31T23:59:59Z")), InWindow::Yes);
    }

    #[test]
    fn path_prefixes_match_whole_segments() {
        let rule = ArgumentRule {
            starts_with: Some("/srv/public".into()),
            ..ArgumentRule::default()
        };
        let ok = |v: &str| check_argument(&rule, Some(&json!(v))).is_ok();
        assert!(ok("/srv/public"));
        assert!(ok("/srv/public/a.txt"));
        assert!(!ok("/srv/publicity"));
        assert!(!ok("/srv/public/../secrets"));
        assert!(!ok("/srv/public/./a"));
        assert!(check_argument(&rule, None).is_err());
        assert!(check_argument(&rule, Some(&json!(3))).is_err());
    }

    #[test]
    fn numbers_sets_and_dotted_paths() {
        let args = json!({ "limit": 5, "filters": { "category": "a" } });
        let max = ArgumentRule {
            max: Some(10.0),
            ..ArgumentRule::default()
        };
        assert!(check_argument(&max, lookup(&args, "limit")).is_ok());
        assert!(check_argument(&max, Some(&json!(11))).is_err());
        let set = ArgumentRule {
            one_of: Some(vec![json!("a"), json!("b")]),
            ..ArgumentRule::default()
        };
        assert!(check_argument(&set, lookup(&args, "filters.category")).is_ok());
        assert!(check_argument(&set, lookup(&args, "filters.missing")).is_err());
    }
}
