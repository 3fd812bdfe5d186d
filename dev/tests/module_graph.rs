//! No module of the dev server imports a module that imports it: every `crate::…` path a
//! module names points down a graph without cycles (the router imports the handlers, the
//! handlers the state, never back).
#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The module path of a source file under `src/` (`api/dlq.rs` → `api::dlq`).
fn module_of(file: &Path, src: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<_> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    match parts.as_slice() {
        [only] if only == "lib" => "crate".into(),
        [.., last] if last == "mod" => parts[..parts.len() - 1].join("::"),
        _ => parts.join("::"),
    }
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_a_module_that_imports_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = Vec::new();
    files(&src, &mut sources);
    let modules: BTreeSet<String> = sources.iter().map(|f| module_of(f, &src)).collect();
    // Who names whom: `crate::a::b::item` counts as naming the longest module prefix, and a
    // module declaring `mod child;` names its child.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &sources {
        let me = module_of(file, &src);
        let text = std::fs::read_to_string(file).unwrap();
        let named = edges.entry(me.clone()).or_default();
        for (at, _) in text.match_indices("crate::") {
            let path: String = text[at + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
            if let Some(target) = (1..=segments.len())
                .rev()
                .map(|n| segments[..n].join("::"))
                .find(|candidate| modules.contains(candidate) && *candidate != me)
            {
                named.insert(target);
            }
        }
        for line in text.lines().map(str::trim) {
            if let Some(child) = line.strip_prefix("mod ").or_else(|| line.strip_prefix("pub mod ")) {
                let child = child.trim_end_matches(';');
                let full = if me == "crate" { child.to_owned() } else { format!("{me}::{child}") };
                if modules.contains(&full) {
                    named.insert(full);
                }
            }
        }
    }
    assert!(edges.len() > 10, "only {} modules found", edges.len());
    // A cycle of any length, found by a depth-first walk.
    fn walk<'a>(
        at: &'a str,
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if let Some(start) = path.iter().position(|m| *m == at) {
            panic!("modules import each other: {} -> {at}", path[start..].join(" -> "));
        }
        if !done.insert(at) {
            return;
        }
        path.push(at);
        for next in edges.get(at).into_iter().flatten() {
            walk(next, edges, path, done);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for module in edges.keys() {
        walk(module, &edges, &mut Vec::new(), &mut done);
    }
}
