//! How long a message waits before its next attempt: the destination's `Retry-After` first,
//! then the message's `Upstash-Retry-Delay` expression, then QStash's backoff; every wait at
//! most a day, whatever a destination or a publisher writes.

use std::time::{Duration, SystemTime};

use evalexpr::{
    Context, ContextWithMutableFunctions, ContextWithMutableVariables, EvalexprError, Function,
    HashMapContext, Node, Value,
};
use qstash_client::parse_duration;

/// The longest wait between two attempts: a day, as QStash's backoff caps it.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(86_400);

/// The longest `Upstash-Retry-Delay` expression taken: enough for any formula a person
/// writes, short enough that parsing it cannot nest deeply.
const MAX_EXPRESSION_LENGTH: usize = 256;

/// The wait before retry number `retried` (1 for the first retry), as QStash documents it:
/// `min(86400, e^(2.5·retried))` seconds.
pub(crate) fn backoff(retried: u32) -> Duration {
    Duration::from_secs_f64((2.5 * f64::from(retried)).exp().min(MAX_WAIT.as_secs_f64()))
}

/// A destination's `Retry-After`: seconds, a duration as QStash documents it (`6m5s`) or an
/// HTTP date; `None` when it is none of them.
pub(crate) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(wait) = parse_duration(value) {
        return Some(wait.min(MAX_WAIT));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO).min(MAX_WAIT))
}

/// An `Upstash-Retry-Delay` expression: milliseconds as a formula of `retried` (the retries
/// made so far, 0 before the first), with QStash's functions `pow`, `sqrt`, `abs`, `exp`,
/// `floor`, `ceil`, `round`, `min` and `max`, and nothing else.
#[derive(Debug, Clone)]
pub(crate) struct RetryDelay {
    text: String,
    tree: Node,
}

/// Kept as the text written; read back through [`RetryDelay::parse`].
impl serde::Serialize for RetryDelay {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for RetryDelay {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        RetryDelay::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl RetryDelay {
    /// The expression of `text`, or the message of a 400: it must parse and give a number of
    /// milliseconds for the first retry.
    pub(crate) fn parse(text: &str) -> Result<RetryDelay, String> {
        let invalid = |why: String| format!("invalid Upstash-Retry-Delay {text:?}: {why}");
        if text.len() > MAX_EXPRESSION_LENGTH {
            return Err(invalid(format!("longer than {MAX_EXPRESSION_LENGTH} characters")));
        }
        let tree = evalexpr::build_operator_tree(text).map_err(|e| invalid(e.to_string()))?;
        let delay = RetryDelay { text: text.to_owned(), tree };
        delay.milliseconds(0).map_err(invalid)?;
        Ok(delay)
    }

    /// The expression as it was written.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The wait before the next retry, `retried` retries having been made; `None` when the
    /// expression cannot be computed for it (a division by zero, say).
    pub(crate) fn wait(&self, retried: u32) -> Option<Duration> {
        let milliseconds = self.milliseconds(retried).ok()?;
        Some(Duration::from_secs_f64((milliseconds / 1000.0).clamp(0.0, MAX_WAIT.as_secs_f64())))
    }

    fn milliseconds(&self, retried: u32) -> Result<f64, String> {
        let context = context(retried).map_err(|e| e.to_string())?;
        let value = self.tree.eval_number_with_context(&context).map_err(|e| e.to_string())?;
        if value.is_nan() { Err("not a number".into()) } else { Ok(value) }
    }
}

/// `retried` and QStash's functions, without evalexpr's own (strings, regexes, …).
fn context(retried: u32) -> Result<HashMapContext, EvalexprError> {
    let mut context = HashMapContext::new();
    context.set_builtin_functions_disabled(true)?;
    context.set_value("retried".into(), Value::Int(i64::from(retried)))?;
    let one = |f: fn(f64) -> f64| Function::new(move |x: &Value| Ok(Value::Float(f(x.as_number()?))));
    let two = |f: fn(f64, f64) -> f64| {
        Function::new(move |x: &Value| {
            let [a, b] = x
                .as_fixed_len_tuple(2)?
                .try_into()
                .map_err(|_| EvalexprError::CustomMessage("two arguments".into()))?;
            Ok(Value::Float(f(a.as_number()?, b.as_number()?)))
        })
    };
    context.set_function("pow".into(), two(f64::powf))?;
    context.set_function("min".into(), two(f64::min))?;
    context.set_function("max".into(), two(f64::max))?;
    context.set_function("sqrt".into(), one(f64::sqrt))?;
    context.set_function("abs".into(), one(f64::abs))?;
    context.set_function("exp".into(), one(f64::exp))?;
    context.set_function("floor".into(), one(f64::floor))?;
    context.set_function("ceil".into(), one(f64::ceil))?;
    context.set_function("round".into(), one(f64::round))?;
    Ok(context)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_the_documented_curve() {
        let seconds: Vec<u64> = (1..=6).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(seconds, [12, 148, 1808, 22026, 86400, 86400]);
    }

    #[test]
    fn retry_after_reads_seconds_durations_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(retry_after("30", now), Some(Duration::from_secs(30)));
        assert_eq!(retry_after("6m5s", now), Some(Duration::from_secs(365)));
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:29:40 GMT", now), Some(Duration::from_secs(100)));
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(retry_after("Wednesday, 21-Oct-15 07:29:40 GMT", now), Some(Duration::from_secs(100)));
        assert_eq!(retry_after("18446744073709551615", now), Some(MAX_WAIT));
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn a_retry_delay_expression_gives_milliseconds_of_retried() {
        let doubling = RetryDelay::parse("pow(2, retried) * 1000").unwrap();
        let waits: Vec<u64> = (0..4).map(|n| doubling.wait(n).unwrap().as_millis() as u64).collect();
        assert_eq!(waits, [1000, 2000, 4000, 8000]);
        let capped = RetryDelay::parse("min(86400000, exp(retried) * 1000)").unwrap();
        assert_eq!(capped.wait(1).unwrap().as_millis(), 2718);
        assert_eq!(RetryDelay::parse("pow(10, retried)").unwrap().wait(400), Some(MAX_WAIT));
        assert_eq!(RetryDelay::parse("0 - 5").unwrap().wait(0), Some(Duration::ZERO));
    }

    #[test]
    fn a_retry_delay_that_is_not_a_formula_of_retried_is_refused() {
        for text in ["retried +", "attempts * 10", "str::len(\"x\")", "\"text\"", "a = 5", "sqrt(0 - 1)"] {
            let refused = RetryDelay::parse(text).unwrap_err();
            assert!(refused.contains("Upstash-Retry-Delay"), "{text}: {refused}");
        }
        assert!(RetryDelay::parse(&"(".repeat(300)).unwrap_err().contains("longer than"));
    }
}
