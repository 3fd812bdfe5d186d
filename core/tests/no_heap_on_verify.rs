//! Verifying a real QStash token allocates nothing; only a `sub` + `jti` longer than the
//! claims' inline space (112 bytes) costs one allocation.
// A counting global allocator needs `unsafe impl GlobalAlloc`; the crate itself forbids unsafe.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use qstash_core::{Receiver, Request, Signer};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// Counts per thread, so the test harness's own threads do not disturb the figure.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn verifying_a_valid_token_allocates_nothing() {
    let url = "https://my-app.example.com/api/webhooks/qstash?tenant=42";
    let body = vec![7u8; 64 * 1024];
    let token = Signer::dev().token(url, &body).sign_at(1_750_000_000);
    let receiver = Receiver::dev();
    let request = Request::new(&token, &body).url(url);
    let mut result = None;
    let n = allocations_during(|| result = Some(receiver.verify_at(&request, 1_750_000_001)));
    let verified = result.unwrap().unwrap();
    assert_eq!(n, 0, "a usual token must verify without touching the heap");
    assert_eq!(verified.claims.sub(), url);
    assert!(verified.claims.jti().is_some_and(|j| j.starts_with("jwt_")));
}

#[test]
fn a_url_longer_than_the_inline_space_costs_one_allocation() {
    let url = format!("https://my-app.example.com/{}", "a".repeat(200));
    let token = Signer::dev().token(&url, b"{}").sign_at(1_750_000_000);
    let receiver = Receiver::dev();
    let request = Request::new(&token, b"{}").url(&url);
    let mut result = None;
    let n = allocations_during(|| result = Some(receiver.verify_at(&request, 1_750_000_001)));
    assert_eq!(result.unwrap().unwrap().claims.sub(), url);
    assert_eq!(n, 1, "one string for `sub` and `jti`");
}

#[test]
fn rejecting_a_forged_token_allocates_nothing() {
    let token =
        Signer::new("sig_attackerKey").unwrap().token("https://x.example", b"").sign_at(1_750_000_000);
    let receiver = Receiver::dev();
    let request = Request::new(&token, b"");
    let n = allocations_during(|| assert!(receiver.verify_at(&request, 1_750_000_001).is_err()));
    assert_eq!(n, 0);
}
