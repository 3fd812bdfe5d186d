//! No module of the dev server imports a module that imports it: every path a module names
//! (`crate::…`, `super::…`, `self::…`, in `use` items and in code alike, read by `syn`) points
//! down a graph without cycles (the router imports the handlers, the handlers the state,
//! never back). A module's inline modules (its tests) belong to it.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The module path of a source file under `src/` (`api/dlq.rs` → `["api", "dlq"]`, `lib.rs` → `[]`).
fn module_of(file: &Path, src: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    match parts.as_slice() {
        [only] if only == "lib" || only == "main" => Vec::new(),
        [.., last] if last == "mod" => parts[..parts.len() - 1].to_vec(),
        _ => parts,
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules one file names.
struct Names<'a> {
    /// The file's module, then the inline modules entered inside it.
    scope: Vec<String>,
    file_module: Vec<String>,
    modules: &'a BTreeSet<Vec<String>>,
    named: BTreeSet<Vec<String>>,
}

impl Names<'_> {
    /// Resolves a path's leading `crate`, `super` and `self` from the current scope; names the
    /// longest known module it starts with (a path without one of those names nothing here:
    /// it is an extern crate's or an item's in scope).
    fn name(&mut self, segments: &[String]) {
        let mut at = match segments.first().map(String::as_str) {
            Some("crate") => Vec::new(),
            Some("self" | "super") => self.scope.clone(),
            _ => return,
        };
        let mut rest = &segments[1..];
        if segments[0] == "super" {
            at.pop();
        }
        while let Some("super") = rest.first().map(String::as_str) {
            at.pop();
            rest = &rest[1..];
        }
        let mut found = None;
        for segment in rest {
            at.push(segment.clone());
            if self.modules.contains(&at) {
                found = Some(at.clone());
            }
        }
        let found = found.or_else(|| {
            // The path names an item of this module, or of the module it starts from.
            let start: Vec<String> = at[..at.len() - rest.len()].to_vec();
            self.modules.contains(&start).then_some(start)
        });
        if let Some(module) = found.filter(|m| *m != self.file_module) {
            self.named.insert(module);
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                prefix.push(name.ident.to_string());
                self.name(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Rename(rename) => {
                prefix.push(rename.ident.to_string());
                self.name(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Glob(_) => self.name(&prefix.clone()),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Names<'_> {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        let mut child = self.scope.clone();
        child.push(item.ident.to_string());
        if item.content.is_none() {
            // `mod child;`: the module names its child.
            if self.modules.contains(&child) {
                self.named.insert(child);
            }
            return;
        }
        self.scope.push(item.ident.to_string());
        syn::visit::visit_item_mod(self, item);
        self.scope.pop();
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    /// `pub(crate)`, `pub(super)`, `pub(in crate::x)` say who may see an item, not what it uses.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.name(&segments);
        syn::visit::visit_path(self, path);
    }
}

/// Who names whom, by module (`"a::b"`; the crate root is `"crate"`).
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut sources = Vec::new();
    files(src, &mut sources);
    let modules: BTreeSet<Vec<String>> = sources.iter().map(|f| module_of(f, src)).collect();
    let label = |m: &[String]| if m.is_empty() { "crate".to_owned() } else { m.join("::") };
    let mut edges = BTreeMap::new();
    for file in &sources {
        let me = module_of(file, src);
        let parsed = syn::parse_file(&std::fs::read_to_string(file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut names =
            Names { scope: me.clone(), file_module: me.clone(), modules: &modules, named: BTreeSet::new() };
        names.visit_file(&parsed);
        edges.insert(label(&me), names.named.iter().map(|m| label(m)).collect());
    }
    edges
}

/// The first cycle of the graph, as the modules on it.
fn cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn walk(
        at: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|m| m == at) {
            let mut found = path[start..].to_vec();
            found.push(at.to_owned());
            return Some(found);
        }
        if !done.insert(at.to_owned()) {
            return None;
        }
        path.push(at.to_owned());
        for next in edges.get(at).into_iter().flatten() {
            if let Some(found) = walk(next, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|module| walk(module, edges, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_imports_a_module_that_imports_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = graph(&src);
    let mut sources = Vec::new();
    files(&src, &mut sources);
    assert_eq!(edges.len(), sources.len(), "every source file is a module of the graph");
    if let Some(found) = cycle(&edges) {
        panic!("modules import each other: {}", found.join(" -> "));
    }
}

#[test]
fn a_cycle_through_super_or_self_is_found_too() {
    // A crate of four modules written here: `a` declares `b`, and `b` names its importer
    // through `super::`; `c` names `d` through `self::`-relative and `crate::` paths only.
    let dir = std::env::temp_dir().join(format!("qstash-module-graph-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("a")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod c;\nmod d;\n").unwrap();
    std::fs::write(src.join("a/mod.rs"), "mod b;\npub fn f() {}\n").unwrap();
    std::fs::write(
        src.join("a/b.rs"),
        "pub fn g() { super::f() }\n#[cfg(test)]\nmod tests { use super::*; }\n",
    )
    .unwrap();
    std::fs::write(src.join("c.rs"), "use crate::d::h;\npub(crate) fn i() { h() }\n").unwrap();
    std::fs::write(src.join("d.rs"), "pub fn h() {}\n#[cfg(test)]\nmod tests { use super::h; }\n").unwrap();
    let edges = graph(&src);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(cycle(&edges), Some(vec!["a".to_owned(), "a::b".to_owned(), "a".to_owned()]));
    assert_eq!(edges["c"], BTreeSet::from(["d".to_owned()]));
    // A module's own tests naming it through `super::` are no edge.
    assert_eq!(edges["d"], BTreeSet::new());
}
