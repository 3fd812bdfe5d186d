//! Writing to standard output and error when the reader may have gone: `qstash-kit logs |
//! head -1` closes the pipe after one line, which is the reader's choice, not a failure.

use std::io::{self, Write};

/// Writes `text` and a newline to stdout; a closed pipe ends the output quietly.
pub(crate) fn out(text: &str) {
    write_line(&mut io::stdout().lock(), text);
}

/// Writes `text` and a newline to stderr; a closed pipe ends the output quietly.
pub(crate) fn err(text: &str) {
    write_line(&mut io::stderr().lock(), text);
}

fn write_line(stream: &mut impl Write, text: &str) {
    // Nothing else can be done about an output that cannot be written: the exit code still
    // says how the command ended.
    let _ = writeln!(stream, "{text}").and_then(|()| stream.flush());
}
