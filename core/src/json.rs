//! A strict RFC 8259 reader for the two small JSON objects inside a token.
//!
//! Why not `serde_json`: the verifier must reject duplicate member names at every depth (where
//! `serde_json` silently keeps the last one for unknown members and nested objects), compare
//! keys after unescaping (`"a"` and `"\u0061"` are the same name), run without an allocator on
//! `no_std`, and allocate nothing for a valid token. The reader borrows every string from the
//! input and never builds a tree; it is fuzzed (`fuzz/`) and runs only on authenticated bytes.

/// Deeper nesting than this is refused; QStash payloads are flat, and the limit bounds recursion.
pub(crate) const MAX_DEPTH: usize = 64;

/// Member names remembered per object for the duplicate check without re-reading the object.
const REMEMBERED_KEYS: usize = 16;

/// The input is not a JSON text this reader accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Invalid;

type Result<T> = core::result::Result<T, Invalid>;

/// A validated JSON string literal, without its quotes and still escaped.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JsonStr<'a> {
    raw: &'a str,
    escaped: bool,
}

impl<'a> JsonStr<'a> {
    /// A literal known to contain no escapes and no control characters.
    pub(crate) const fn plain(raw: &'a str) -> Self {
        JsonStr { raw, escaped: false }
    }

    /// The unescaped characters.
    pub(crate) fn chars(&self) -> Chars<'a> {
        Chars { rest: self.raw.chars() }
    }

    /// The literal's text when it has no escapes, so callers can borrow instead of copying.
    pub(crate) fn as_plain(&self) -> Option<&'a str> {
        (!self.escaped).then_some(self.raw)
    }

    /// Compares the unescaped value with `s`.
    pub(crate) fn eq_str(&self, s: &str) -> bool {
        match self.as_plain() {
            Some(raw) => raw == s,
            None => self.chars().eq(s.chars()),
        }
    }

    /// Length, first and last byte of the unescaped UTF-8: equal names have equal
    /// fingerprints, and different short names almost never do, so most duplicate checks end
    /// here without comparing text.
    fn fingerprint(&self) -> u32 {
        let (len, first, last) = match self.as_plain() {
            Some(raw) => {
                let b = raw.as_bytes();
                (b.len(), b.first().copied(), b.last().copied())
            }
            None => {
                let mut utf8 = [0u8; 4];
                let (mut len, mut first, mut last) = (0, None, None);
                for c in self.chars() {
                    let bytes = c.encode_utf8(&mut utf8).as_bytes();
                    first = first.or(bytes.first().copied());
                    last = bytes.last().copied();
                    len += bytes.len();
                }
                (len, first, last)
            }
        };
        (len as u32) ^ (u32::from(first.unwrap_or(0)) << 16) ^ (u32::from(last.unwrap_or(0)) << 24)
    }

    fn same_name(&self, other: &JsonStr<'_>) -> bool {
        match other.as_plain() {
            Some(raw) => self.eq_str(raw),
            None => self.chars().eq(other.chars()),
        }
    }

    /// Appends the unescaped value to `out`.
    #[cfg(feature = "alloc")]
    pub(crate) fn push_to(&self, out: &mut alloc::string::String) {
        match self.as_plain() {
            Some(raw) => out.push_str(raw),
            None => out.extend(self.chars()),
        }
    }
}

/// Iterator over the unescaped characters of a [`JsonStr`].
#[derive(Debug, Clone)]
pub(crate) struct Chars<'a> {
    rest: core::str::Chars<'a>,
}

impl Chars<'_> {
    fn hex4(&mut self) -> Option<u32> {
        let mut v = 0;
        for _ in 0..4 {
            v = v * 16 + self.rest.next()?.to_digit(16)?;
        }
        Some(v)
    }
}

impl Iterator for Chars<'_> {
    type Item = char;

    // The literal was validated when it was read, so every escape here is well formed.
    fn next(&mut self) -> Option<char> {
        let c = self.rest.next()?;
        if c != '\\' {
            return Some(c);
        }
        Some(match self.rest.next()? {
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let hi = self.hex4()?;
                if (0xD800..0xDC00).contains(&hi) {
                    self.rest.next()?;
                    self.rest.next()?;
                    let lo = self.hex4()?;
                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                } else {
                    char::from_u32(hi)?
                }
            }
            other => other,
        })
    }
}

/// A member value as the claim checks see it; containers are validated and skipped.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Null,
    Bool,
    /// The literal's value; a literal too large for `f64` is infinite (callers decide).
    Number(f64),
    String(JsonStr<'a>),
    Array,
    Object,
}

/// Reads `text` as one JSON object and calls `member` for each top-level member in order.
///
/// Duplicate member names at any depth, nesting deeper than [`MAX_DEPTH`], trailing data and
/// anything RFC 8259 does not allow are [`Invalid`]. `member` may stop the walk with `Err`.
pub(crate) fn for_each_member<'a, E>(
    text: &'a [u8],
    mut member: impl FnMut(JsonStr<'a>, Value<'a>) -> core::result::Result<(), E>,
) -> core::result::Result<(), Walk<E>> {
    let text = core::str::from_utf8(text).map_err(|_| Walk::Invalid)?;
    let mut r = Reader { s: text, i: 0 };
    r.ws();
    if r.peek() != Some(b'{') {
        return Err(Walk::Invalid);
    }
    r.object(0, &mut member)?;
    r.ws();
    if r.i != text.len() {
        return Err(Walk::Invalid);
    }
    Ok(())
}

/// Why [`for_each_member`] stopped.
#[derive(Debug)]
pub(crate) enum Walk<E> {
    /// The text is not acceptable JSON.
    Invalid,
    /// The callback refused a member.
    Refused(E),
}

impl<E> From<Invalid> for Walk<E> {
    fn from(_: Invalid) -> Self {
        Walk::Invalid
    }
}

struct Reader<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.i += 1;
        Some(b)
    }

    fn expect(&mut self, b: u8) -> Result<()> {
        if self.bump() == Some(b) { Ok(()) } else { Err(Invalid) }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value<'a>> {
        match self.peek().ok_or(Invalid)? {
            b'{' => {
                self.object(depth + 1, &mut |_, _| Ok::<(), Invalid>(())).map_err(|_| Invalid)?;
                Ok(Value::Object)
            }
            b'[' => {
                self.array(depth + 1)?;
                Ok(Value::Array)
            }
            b'"' => self.string().map(Value::String),
            b't' => self.literal("true").map(|()| Value::Bool),
            b'f' => self.literal("false").map(|()| Value::Bool),
            b'n' => self.literal("null").map(|()| Value::Null),
            _ => self.number().map(Value::Number),
        }
    }

    fn literal(&mut self, word: &str) -> Result<()> {
        let end = self.i + word.len();
        if self.s.get(self.i..end) == Some(word) {
            self.i = end;
            Ok(())
        } else {
            Err(Invalid)
        }
    }

    fn object<E>(
        &mut self,
        depth: usize,
        member: &mut impl FnMut(JsonStr<'a>, Value<'a>) -> core::result::Result<(), E>,
    ) -> core::result::Result<(), Walk<E>> {
        if depth > MAX_DEPTH {
            return Err(Walk::Invalid);
        }
        let start = self.i;
        self.expect(b'{')?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(());
        }
        let mut seen = [(0u32, JsonStr { raw: "", escaped: false }); REMEMBERED_KEYS];
        let mut count = 0usize;
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(Walk::Invalid);
            }
            let key_at = self.i;
            let key = self.string()?;
            let fingerprint = key.fingerprint();
            let duplicate = if count <= REMEMBERED_KEYS {
                seen[..count].iter().any(|(f, k)| *f == fingerprint && k.same_name(&key))
            } else {
                self.names_before(start, key_at, depth)?.any(|k| k.same_name(&key))
            };
            if duplicate {
                return Err(Walk::Invalid);
            }
            if let Some(slot) = seen.get_mut(count) {
                *slot = (fingerprint, key);
            }
            count += 1;
            self.ws();
            self.expect(b':')?;
            self.ws();
            let value = self.value(depth)?;
            member(key, value).map_err(Walk::Refused)?;
            self.ws();
            match self.bump() {
                Some(b',') => continue,
                Some(b'}') => return Ok(()),
                _ => return Err(Walk::Invalid),
            }
        }
    }

    /// Re-reads the member names of the object at `start` that come before `end`: the fallback
    /// for objects with more members than [`REMEMBERED_KEYS`], which QStash never sends.
    fn names_before(&self, start: usize, end: usize, depth: usize) -> Result<Names<'a>> {
        let mut r = Reader { s: self.s, i: start };
        r.expect(b'{')?;
        Ok(Names { r, end, depth })
    }

    fn array(&mut self, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(Invalid);
        }
        self.expect(b'[')?;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            self.value(depth)?;
            self.ws();
            match self.bump() {
                Some(b',') => continue,
                Some(b']') => return Ok(()),
                _ => return Err(Invalid),
            }
        }
    }

    fn string(&mut self) -> Result<JsonStr<'a>> {
        self.expect(b'"')?;
        let start = self.i;
        let mut escaped = false;
        loop {
            // Jump to the next byte that needs a decision; everything else is string content
            // (UTF-8 was validated for the whole text up front).
            let rest = self.s.as_bytes().get(self.i..).ok_or(Invalid)?;
            let skip = rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).ok_or(Invalid)?;
            self.i += skip;
            match self.bump().ok_or(Invalid)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    match self.bump().ok_or(Invalid)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => self.unicode_escape()?,
                        _ => return Err(Invalid),
                    }
                }
                _ => return Err(Invalid),
            }
        }
        let raw = self.s.get(start..self.i - 1).ok_or(Invalid)?;
        Ok(JsonStr { raw, escaped })
    }

    /// After `\u`: one BMP scalar, or a high surrogate followed by `\u` and a low surrogate.
    /// Lone surrogates are not Unicode text, so they are refused.
    fn unicode_escape(&mut self) -> Result<()> {
        let unit = self.hex4()?;
        match unit {
            0xD800..=0xDBFF => {
                self.expect(b'\\')?;
                self.expect(b'u')?;
                match self.hex4()? {
                    0xDC00..=0xDFFF => Ok(()),
                    _ => Err(Invalid),
                }
            }
            0xDC00..=0xDFFF => Err(Invalid),
            _ => Ok(()),
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let mut v = 0;
        for _ in 0..4 {
            let d = char::from(self.bump().ok_or(Invalid)?).to_digit(16).ok_or(Invalid)?;
            v = v * 16 + d;
        }
        Ok(v)
    }

    fn digits(&mut self) -> usize {
        let from = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - from
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, valued by `f64::from_str`
    /// (correctly rounded; out-of-range literals become infinite).
    fn number(&mut self) -> Result<f64> {
        let start = self.i;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let int_start = self.i;
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(Invalid),
        }
        // Integers of up to 15 digits (every real time claim) are exact in f64: convert them
        // directly instead of going through the general decimal parser.
        let int_digits = self.s.as_bytes().get(int_start..self.i).unwrap_or_default();
        if int_digits.len() <= 15 && !matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            let v = int_digits.iter().fold(0i64, |v, d| v * 10 + i64::from(d - b'0'));
            return Ok(if negative { -(v as f64) } else { v as f64 });
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(Invalid);
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(Invalid);
            }
        }
        self.s.get(start..self.i).ok_or(Invalid)?.parse().map_err(|_| Invalid)
    }
}

/// Member names of an already validated object prefix, for the duplicate-name fallback.
struct Names<'a> {
    r: Reader<'a>,
    end: usize,
    depth: usize,
}

impl<'a> Iterator for Names<'a> {
    type Item = JsonStr<'a>;

    fn next(&mut self) -> Option<JsonStr<'a>> {
        self.r.ws();
        if self.r.i >= self.end {
            return None;
        }
        let key = self.r.string().ok()?;
        self.r.ws();
        self.r.expect(b':').ok()?;
        self.r.ws();
        self.r.value(self.depth).ok()?;
        self.r.ws();
        self.r.bump();
        Some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(text: &str) -> core::result::Result<usize, ()> {
        let mut n = 0;
        for_each_member(text.as_bytes(), |_, _| {
            n += 1;
            Ok::<(), ()>(())
        })
        .map_err(|_| ())?;
        Ok(n)
    }

    fn first_string(text: &str) -> std::string::String {
        let mut out = std::string::String::new();
        for_each_member(text.as_bytes(), |_, v| {
            if let Value::String(s) = v {
                out = s.chars().collect();
            }
            Ok::<(), ()>(())
        })
        .unwrap();
        out
    }

    #[test]
    fn objects_of_any_member_type_are_read() {
        let text = r#" {"a":1,"b":-0.5e+3,"c":"x","d":true,"e":false,"f":null,"g":[1,[],{}],"h":{"i":{}}} "#;
        assert_eq!(members(text), Ok(8));
        assert_eq!(members("{}"), Ok(0));
    }

    #[test]
    fn non_objects_and_trailing_data_are_invalid() {
        for bad in ["[]", "1", "\"s\"", "", "{", "{}{}", "{} x", "{\"a\":1,}", "{,}", "{\"a\"}", "{'a':1}"] {
            assert_eq!(members(bad), Err(()), "{bad:?}");
        }
    }

    #[test]
    fn duplicate_names_are_invalid_at_every_depth_and_after_unescaping() {
        for bad in [
            r#"{"a":1,"a":2}"#,
            r#"{"a":1,"\u0061":2}"#,
            r#"{"x":{"k":1,"k":2}}"#,
            r#"{"x":[{"k":1,"k":2}]}"#,
            r#"{"\ud83d\ude00":1,"😀":2}"#,
        ] {
            assert_eq!(members(bad), Err(()), "{bad}");
        }
    }

    #[test]
    fn duplicate_names_are_found_past_the_remembered_keys() {
        let mut text = std::string::String::from("{");
        for i in 0..40 {
            text.push_str(&std::format!("\"k{i}\":{i},"));
        }
        assert_eq!(members(&(text.clone() + "\"k39x\":0}")), Ok(41));
        assert_eq!(members(&(text.clone() + "\"k3\":0}")), Err(()));
        assert_eq!(members(&(text + "\"k\\u00339\":0}")), Err(()));
    }

    #[test]
    fn numbers_follow_the_rfc_grammar() {
        for bad in ["01", "1.", ".5", "+1", "1e", "1e+", "-", "NaN", "Infinity", "0x10", "1_000"] {
            assert_eq!(members(&std::format!("{{\"n\":{bad}}}")), Err(()), "{bad}");
        }
        for good in ["0", "-0", "1.25", "1E9", "1e-9", "100000000000000000000", "1e400"] {
            assert_eq!(members(&std::format!("{{\"n\":{good}}}")), Ok(1), "{good}");
        }
    }

    #[test]
    fn string_escapes_are_validated_and_decoded() {
        assert_eq!(
            first_string(r#"{"s":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#),
            "a\"\\/\u{8}\u{c}\n\r\té😀"
        );
        for bad in [
            r#"{"s":"\x"}"#,
            r#"{"s":"\ud83d"}"#,
            r#"{"s":"\ude00"}"#,
            r#"{"s":"\u12"}"#,
            "{\"s\":\"\u{1}\"}",
            "{\"s\":\"a\nb\"}",
        ] {
            assert_eq!(members(bad), Err(()), "{bad}");
        }
    }

    #[test]
    fn invalid_utf8_is_invalid() {
        assert!(for_each_member(b"{\"s\":\"\xff\"}", |_, _| Ok::<(), ()>(())).is_err());
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_invalid() {
        let ok = std::format!("{{\"a\":{}1{}}}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
        assert_eq!(members(&ok), Ok(1));
        let deep = std::format!("{{\"a\":{}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(members(&deep), Err(()));
    }
}
