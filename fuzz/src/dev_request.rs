//! Whatever request reaches the dev server (method, target, headers, body), it answers without
//! a panic, without a 5xx, and every refusal in QStash's `{"error": "…"}` shape.

/// A request line (`METHOD target`), header lines (`name:value`), split by `\n` up to a
/// `0x00`, then the body.
pub fn dev_request(data: &[u8]) {
    let (head, body) = match data.iter().position(|&b| b == 0) {
        Some(end) => (&data[..end], &data[end + 1..]),
        None => (data, &[][..]),
    };
    let mut lines = head.split(|&b| b == b'\n');
    let Some(request_line) = lines.next() else { return };
    let Some(space) = request_line.iter().position(|&b| b == b' ') else { return };
    let (method, target) = (&request_line[..space], &request_line[space + 1..]);
    let headers: Vec<(&[u8], &[u8])> = lines
        .filter_map(|line| line.iter().position(|&b| b == b':').map(|colon| (&line[..colon], &line[colon + 1..])))
        .collect();
    qstash_dev::internal::answer(method, target, &headers, body);
}
