//! Whatever a server answers (status, headers, body), the client's handling never panics:
//! no decoding, rate-limit reading or retry delay of `qstash-client` may fail on it.

use std::time::{Duration, SystemTime};

/// Two bytes of status, then header lines (`name:value`, split by `\n`) up to a `0x00`, then
/// the body. The clock is fixed, so a corpus replays the same way on every day.
pub fn client_response(data: &[u8]) {
    let Some((status, rest)) = data.split_first_chunk::<2>() else { return };
    let status = u16::from_be_bytes(*status) % 1000;
    let (head, body) = match rest.iter().position(|&b| b == 0) {
        Some(end) => (&rest[..end], &rest[end + 1..]),
        None => (rest, &[][..]),
    };
    let headers: Vec<(&[u8], &[u8])> = head
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            line.iter().position(|&b| b == b':').map(|colon| (&line[..colon], &line[colon + 1..]))
        })
        .collect();
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000);
    if let Some(error) = qstash_client::internal::answer(status, &headers, body, now) {
        assert!(!error.is_empty());
    }
}
