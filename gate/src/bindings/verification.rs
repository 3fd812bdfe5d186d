//! [`Verification`]: one delivery through the gate a step at a time, for a host that cannot
//! await a Rust future (Python, Node, WebAssembly).

use alloc::boxed::Box;
use alloc::string::String;
use core::task::{Context, Poll, Waker};
use core::time::Duration;

use super::{DeliveryView, Refusal};
use crate::outcome::Outcome;
use crate::{Delivery, Gate, IndexedHead, Pending, Rejection, ReplayCheck};

/// A replay store of the host's own (a JavaScript `replayStore`: a Durable Object, Redis over
/// HTTP), which the gate asks through [`Step::Ask`]: how long it may take to answer, and what
/// happens when it cannot (SPEC.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostStore {
    /// How long the host waits for the store's answer.
    pub timeout: Duration,
    /// Accept the delivery unchecked (rather than refuse it with 503) when the store cannot
    /// answer.
    pub fail_open: bool,
}

/// A delivery through the gate: made by [`Verification::begin`] from the request head, fed
/// the body ([`Verification::update`]), then finished ([`Verification::finish`]) into the
/// [`Step`] the host acts on, until [`Step::Accepted`] or [`Step::Refused`]. Every rule of
/// SPEC.md §7.1 is applied here, every outcome recorded and every log line written here: a
/// host only carries bytes in and the step out.
pub struct Verification {
    gate: Gate,
    // Boxed: a head holds every header it read, and a binding moves its verification around.
    head: Box<IndexedHead<'static>>,
    state: State,
}

enum State {
    Body(Pending),
    /// The host's store was asked ([`Step::Ask`]) to claim this delivery's `jti`.
    Asked(Box<Delivery>),
    Over,
}

/// What the host does next.
#[derive(Debug)]
#[non_exhaustive]
pub enum Step {
    /// The delivery verified: hand it to the handler. Its outcome is recorded.
    Accepted(Box<Accepted>),
    /// Answer with this refusal and log its line. Its outcome is recorded.
    Refused(Box<Refusal>),
    /// Ask the host's replay store to claim this, then [`Verification::answer`] with its
    /// reply.
    Ask(StoreClaim),
    /// The gate's own store (Redis) has to be waited for: [`StoreWait::wait`] on a thread that
    /// may block, or [`StoreWait::spawn`] from an event loop.
    Wait(StoreWait),
}

/// An accepted delivery, with its recorded outcome.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct Accepted {
    /// The delivery.
    pub delivery: DeliveryView,
    /// The outcome, for outcome hooks of the host's language.
    pub outcome: OutcomeView,
    /// A line to log beside the acceptance: the host's store could not answer and fails open.
    pub note: Option<LogLine>,
}

/// A line for the host's logger, at a level it names (`error`, `warn`, `info`, `debug`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct LogLine {
    /// The logger method.
    pub level: &'static str,
    /// The text; never the token, the keys or the query.
    pub message: String,
}

/// An outcome as the gate recorded it (SPEC.md §7.8), owned, for the hooks of another
/// language: every label from the gate, so every binding reports the same.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct OutcomeView {
    /// `accepted` or `rejected`.
    pub outcome: &'static str,
    /// The reason code, `none` when accepted.
    pub reason: &'static str,
    /// `current`, `next` or `none`.
    pub key: &'static str,
    /// The region whose keys verified, `default`, or `none`.
    pub region: String,
    /// `Upstash-Message-Id` as the gate read it.
    pub message_id: Option<String>,
}

impl From<&Outcome<'_>> for OutcomeView {
    fn from(outcome: &Outcome<'_>) -> Self {
        OutcomeView {
            outcome: outcome.verdict.as_str(),
            reason: outcome.reason,
            key: outcome.key_label(),
            region: outcome.region_label().into(),
            message_id: outcome.message_id.map(String::from),
        }
    }
}

/// What the host's replay store is asked to claim (SPEC.md §6): the signed `jti`, for
/// `ttl_seconds` (until the token's expiry plus the clock tolerance), answered within
/// `timeout_ms`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct StoreClaim {
    /// The `jti`.
    pub id: String,
    /// How long to remember it, at least a second.
    pub ttl_seconds: u64,
    /// How long to wait for the store.
    pub timeout_ms: f64,
}

/// What the host's replay store answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreReply {
    /// The id was new: it is remembered now.
    Fresh,
    /// The id was there: a replay.
    Seen,
    /// No answer (an error, a timeout, a reply that is neither), and why.
    Failed(String),
}

impl StoreReply {
    /// A host store's reply as its language gave it: `fresh` when it answered a boolean, else
    /// the name of the type it answered (`typeof`), or `error` when it failed or timed out.
    pub fn read(fresh: Option<bool>, type_name: &str, error: Option<String>) -> Self {
        match (error, fresh) {
            (Some(why), _) => StoreReply::Failed(why),
            (None, Some(true)) => StoreReply::Fresh,
            (None, Some(false)) => StoreReply::Seen,
            (None, None) => {
                StoreReply::Failed(alloc::format!("replayStore.claim resolved to {type_name}, not a boolean"))
            }
        }
    }
}

/// A step as the JavaScript bindings hand it over: `{ accepted }`, `{ refusal }` or
/// `{ claim }` (a wait for the gate's own store is the binding's to run, and has no view).
#[cfg(feature = "serde")]
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StepView<'a> {
    /// [`Step::Accepted`].
    Accepted(&'a Accepted),
    /// [`Step::Refused`].
    Refusal(&'a Refusal),
    /// [`Step::Ask`]'s claim.
    Claim(&'a StoreClaim),
}

#[cfg(feature = "serde")]
impl Step {
    /// The view of this step, `None` for [`Step::Wait`].
    pub fn view(&self) -> Option<StepView<'_>> {
        match self {
            Step::Accepted(accepted) => Some(StepView::Accepted(accepted)),
            Step::Refused(refusal) => Some(StepView::Refusal(refusal)),
            Step::Ask(claim) => Some(StepView::Claim(claim)),
            Step::Wait(_) => None,
        }
    }
}

/// The wait for the gate's own replay store, with the verification it decides.
pub struct StoreWait {
    check: ReplayCheck,
    verification: Verification,
    delivery: Box<Delivery>,
}

impl core::fmt::Debug for StoreWait {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StoreWait").finish_non_exhaustive()
    }
}

impl core::fmt::Debug for Verification {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Verification").field("gate", &self.gate).finish_non_exhaustive()
    }
}

impl Verification {
    /// Verifies the head at `now` (Unix seconds): the token, the URL, the declared length.
    /// Nothing of the body is needed; the refusal comes back when the head fails.
    pub fn begin_at(gate: &Gate, head: IndexedHead<'static>, now: i64) -> Result<Self, Box<Refusal>> {
        match gate.verify_head_at(&head, now) {
            Ok(pending) => {
                Ok(Verification { gate: gate.clone(), head: Box::new(head), state: State::Body(pending) })
            }
            Err(rejection) => Err(Box::new(gate.refusal(&rejection, &head))),
        }
    }

    /// [`Verification::begin_at`] now.
    pub fn begin(gate: &Gate, head: IndexedHead<'static>) -> Result<Self, Box<Refusal>> {
        Self::begin_at(gate, head, qstash_core::clock::now())
    }

    /// The refusal for a body that could not be read (the client went away, broken framing),
    /// for a host that has not begun a verification, or whose body broke off.
    pub fn unreadable(gate: &Gate, head: &IndexedHead<'_>) -> Box<Refusal> {
        Box::new(gate.refusal(&Rejection::BadBody, head))
    }

    /// Hashes the next chunk of the body: the refusal (413) once the body is over the limit.
    /// Fed after it was refused or finished (a host's mistake), the answer is the
    /// unreadable-body refusal, as for every call out of order.
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), Box<Refusal>> {
        let State::Body(pending) = &mut self.state else { return Err(self.refuse(&Rejection::BadBody)) };
        pending.update(chunk).map_err(|rejection| {
            self.state = State::Over;
            self.refuse(&rejection)
        })
    }

    /// The body is complete: the hash, the delivery headers, then the replay check (the
    /// gate's guard, or the host's store).
    pub fn finish_at(&mut self, now: i64) -> Step {
        let State::Body(pending) = core::mem::replace(&mut self.state, State::Over) else {
            return Step::Refused(self.refuse(&Rejection::BadBody));
        };
        let delivery = match pending.finish(&*self.head) {
            Ok(delivery) => Box::new(delivery),
            Err(rejection) => return Step::Refused(self.refuse(&rejection)),
        };
        if let Some(store) = self.gate.host_store() {
            return self.ask(delivery, store, now);
        }
        let Some(mut check) = self.gate.replay_check_unrecorded(&delivery) else {
            return self.accept(delivery, None);
        };
        // The in-memory guard answers on the first poll; a store (Redis) has to be waited for.
        if !self.gate.replay_waits() {
            if let Poll::Ready(verdict) = check.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
                return self.decide(verdict, delivery);
            }
        }
        // The wait takes the head along; what is left here only refuses calls out of order.
        let head = core::mem::replace(&mut self.head, Box::new(IndexedHead::new("/")));
        let verification = Verification { gate: self.gate.clone(), head, state: State::Over };
        Step::Wait(StoreWait { check, verification, delivery })
    }

    /// [`Verification::finish_at`] now.
    pub fn finish(&mut self) -> Step {
        self.finish_at(qstash_core::clock::now())
    }

    fn ask(&mut self, delivery: Box<Delivery>, store: HostStore, now: i64) -> Step {
        let tolerance = self.gate.receiver().load().clock_tolerance();
        match crate::replay::replay_key(&delivery.claims, tolerance) {
            Ok((jti, expires_at)) => {
                let claim = StoreClaim {
                    id: jti.into(),
                    ttl_seconds: u64::try_from(expires_at.saturating_sub(now)).unwrap_or(0).max(1),
                    timeout_ms: store.timeout.as_secs_f64() * 1000.0,
                };
                self.state = State::Asked(delivery);
                Step::Ask(claim)
            }
            Err(error) => Step::Refused(self.refuse(&Rejection::from(error))),
        }
    }

    /// The host's store replied to [`Step::Ask`]: a fresh id accepts, a seen one refuses as
    /// `replayed`, and no answer refuses with 503 (fail closed) or accepts unchecked (fail
    /// open), with a line saying why.
    pub fn answer(&mut self, reply: StoreReply) -> Step {
        let State::Asked(delivery) = core::mem::replace(&mut self.state, State::Over) else {
            return Step::Refused(self.refuse(&Rejection::BadBody));
        };
        let fail_open = self.gate.host_store().is_some_and(|store| store.fail_open);
        match reply {
            StoreReply::Fresh => self.accept(delivery, None),
            StoreReply::Seen => Step::Refused(self.refuse(&Rejection::Replayed)),
            StoreReply::Failed(why) if fail_open => {
                let message = alloc::format!(
                    "QStash: replay store unavailable, accepting the delivery unchecked (fail open): {why}"
                );
                self.accept(delivery, Some(LogLine { level: "warn", message }))
            }
            StoreReply::Failed(why) => {
                let mut refusal = self.refuse(&Rejection::ReplayStoreUnavailable);
                let message = alloc::format!(
                    "QStash: replay store unavailable, refusing the delivery (fail closed): {why}"
                );
                refusal.note = Some(LogLine { level: "error", message });
                Step::Refused(refusal)
            }
        }
    }

    fn decide(&self, verdict: Result<(), Rejection>, delivery: Box<Delivery>) -> Step {
        match verdict {
            Ok(()) => self.accept(delivery, None),
            Err(rejection) => Step::Refused(self.refuse(&rejection)),
        }
    }

    fn accept(&self, delivery: Box<Delivery>, note: Option<LogLine>) -> Step {
        let outcome = OutcomeView::from(&self.gate.accepted(&delivery));
        Step::Accepted(Box::new(Accepted { delivery: DeliveryView::from(*delivery), outcome, note }))
    }

    fn refuse(&self, rejection: &Rejection) -> Box<Refusal> {
        Box::new(self.gate.refusal(rejection, &*self.head))
    }
}

impl StoreWait {
    /// Waits on this thread for the store (for synchronous servers, whose worker waits
    /// anyway); the store's timeout bounds the wait.
    pub fn wait(self) -> Step {
        let StoreWait { check, verification, delivery } = self;
        verification.decide(wait(check), delivery)
    }

    /// Hands the wait to the store's own thread and calls `done` with the step there: the
    /// caller (an event loop) goes on at once and no thread waits. The store's timeout bounds
    /// how long `done` can take to come.
    pub fn spawn(self, done: impl FnOnce(Step) + Send + 'static) {
        let StoreWait { check, verification, delivery } = self;
        spawn(check, move |verdict| done(verification.decide(verdict, delivery)));
    }
}

#[cfg(feature = "redis")]
use crate::replay::runtime::{spawn, wait};

/// Without the store's runtime (no `redis` feature) only a guard that answers at once can be
/// set, and one that does not is unavailable.
#[cfg(not(feature = "redis"))]
fn wait(mut check: ReplayCheck) -> Result<(), Rejection> {
    match check.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(verdict) => verdict,
        Poll::Pending => Err(Rejection::ReplayStoreUnavailable),
    }
}

#[cfg(not(feature = "redis"))]
fn spawn(check: ReplayCheck, done: impl FnOnce(Result<(), Rejection>)) {
    done(wait(check));
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::vec::Vec;

    use qstash_core::{Receiver, Signer};

    use super::*;
    use crate::bindings::{GateOptions, Number, StoreOptions};
    use crate::replay::MemoryReplayGuard;

    const URL: &str = "https://a.example/hook";
    /// One instant for every token and check of the run: the in-memory guard forgets ids by
    /// the real clock, so the tokens are minted at it.
    static NOW: std::sync::LazyLock<i64> = std::sync::LazyLock::new(qstash_core::clock::now);

    /// A gate over the development keys whose hook keeps every outcome, as the hosts' hooks see them.
    fn recording(
        options: &GateOptions,
        guard: Option<Arc<MemoryReplayGuard>>,
    ) -> (Gate, Arc<Mutex<Vec<OutcomeView>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let gate = options
            .build(Receiver::dev().into(), guard, None)
            .unwrap()
            .with_outcome_hook(move |outcome| sink.lock().unwrap().push(OutcomeView::from(outcome)));
        (gate, seen)
    }

    fn signed(body: &[u8]) -> IndexedHead<'static> {
        let token = Signer::dev().token(URL, body).jti("jwt_fixed").sign_at(*NOW);
        let mut head = IndexedHead::new("/hook");
        head.push("upstash-signature", token.into_bytes().into());
        head.push("upstash-message-id", b"msg_1".to_vec().into());
        head
    }

    fn through(gate: &Gate, body: &[u8]) -> Step {
        through_kept(gate, body).1
    }

    /// The verification and its step after the body, for a host store's answer.
    fn through_kept(gate: &Gate, body: &[u8]) -> (Verification, Step) {
        let mut verification = Verification::begin_at(gate, signed(body), *NOW).unwrap();
        verification.update(body).unwrap();
        let step = verification.finish_at(*NOW);
        (verification, step)
    }

    fn host_store(fail_open: bool) -> GateOptions {
        let store = StoreOptions { timeout_ms: Some(Number::Float(250.0)), fail_open: Some(fail_open) };
        GateOptions { replay_store: Some(store), ..GateOptions::default() }
    }

    fn asked(gate: &Gate) -> (Verification, StoreClaim) {
        match through_kept(gate, b"{}") {
            (verification, Step::Ask(claim)) => (verification, claim),
            (_, other) => panic!("expected the store to be asked, got {other:?}"),
        }
    }

    fn accepted(step: Step) -> Accepted {
        match step {
            Step::Accepted(accepted) => *accepted,
            other => panic!("expected the delivery accepted, got {other:?}"),
        }
    }

    fn refused(step: Step) -> Refusal {
        match step {
            Step::Refused(refusal) => *refusal,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn outcome(verdict: &'static str, reason: &'static str, key: &'static str, region: &str) -> OutcomeView {
        OutcomeView { outcome: verdict, reason, key, region: region.into(), message_id: Some("msg_1".into()) }
    }

    #[test]
    fn an_accepted_delivery_carries_the_outcome_the_hook_recorded_once() {
        let (gate, seen) = recording(&GateOptions::default(), None);
        let accepted = accepted(through(&gate, b"{}"));
        assert_eq!(accepted.delivery.message_id.as_deref(), Some("msg_1"));
        assert_eq!(accepted.outcome, outcome("accepted", "none", "current", "default"));
        assert_eq!(accepted.note, None);
        assert_eq!(*seen.lock().unwrap(), [accepted.outcome]);
    }

    #[test]
    fn a_refusal_carries_its_outcome_and_the_log_line_at_the_gates_level() {
        let options = GateOptions { log_level: Some("info".into()), ..GateOptions::default() };
        let (gate, seen) = recording(&options, None);
        let mut verification = Verification::begin_at(&gate, signed(b"{}"), *NOW).unwrap();
        verification.update(b"{\"forged\":1}").unwrap();
        let refusal = refused(verification.finish_at(*NOW));
        assert_eq!((refusal.status, refusal.reason, refusal.log_level), (401, "body", "info"));
        assert_eq!(refusal.log_message, "QStash delivery rejected: reason=body message_id=msg_1 path=/hook");
        assert_eq!(*seen.lock().unwrap(), [outcome("rejected", "body", "none", "none")]);
        assert_eq!(refusal.outcome, outcome("rejected", "body", "none", "none"));
    }

    #[test]
    fn a_body_over_the_limit_is_refused_once_then_nothing_more_is_taken() {
        let options = GateOptions { body_limit: Some(Number::Float(2.0)), ..GateOptions::default() };
        let (gate, seen) = recording(&options, None);
        let mut verification = Verification::begin_at(&gate, signed(b"abc"), *NOW).unwrap();
        assert_eq!(verification.update(b"abc").unwrap_err().reason, "payload_too_large");
        assert_eq!(verification.update(b"").unwrap_err().reason, "unreadable_body");
        assert_eq!(refused(verification.finish_at(*NOW)).reason, "unreadable_body");
        let reasons: Vec<_> = seen.lock().unwrap().iter().map(|o| o.reason).collect();
        assert_eq!(reasons, ["payload_too_large", "unreadable_body", "unreadable_body"]);
    }

    #[test]
    fn the_in_memory_guard_answers_within_finish_and_refuses_the_replay() {
        let (gate, seen) = recording(&GateOptions::default(), Some(Arc::new(MemoryReplayGuard::new(8))));
        accepted(through(&gate, b"{}"));
        assert_eq!(refused(through(&gate, b"{}")).reason, "replayed");
        let verdicts: Vec<_> = seen.lock().unwrap().iter().map(|o| (o.outcome, o.reason)).collect();
        assert_eq!(verdicts, [("accepted", "none"), ("rejected", "replayed")]);
    }

    #[test]
    fn the_hosts_store_is_asked_for_the_jti_until_the_token_expires_within_its_timeout() {
        let (gate, seen) = recording(&host_store(false), None);
        let (mut verification, claim) = asked(&gate);
        assert_eq!(claim.id, "jwt_fixed");
        // Signed tokens live 5 minutes (qstash-core's signer) and the tolerance is 0.
        assert_eq!(claim.ttl_seconds, 300);
        assert_eq!(claim.timeout_ms, 250.0);
        assert!(seen.lock().unwrap().is_empty(), "nothing is recorded before the store answers");
        accepted(verification.answer(StoreReply::Fresh));
        // Out of order: nothing is left to answer for.
        assert_eq!(refused(verification.answer(StoreReply::Fresh)).reason, "unreadable_body");
        assert_eq!(refused(asked(&gate).0.answer(StoreReply::Seen)).reason, "replayed");
        let verdicts: Vec<_> = seen.lock().unwrap().iter().map(|o| (o.outcome, o.reason)).collect();
        assert_eq!(
            verdicts,
            [("accepted", "none"), ("rejected", "unreadable_body"), ("rejected", "replayed")]
        );
    }

    #[test]
    fn a_host_store_without_an_answer_refuses_with_503_unless_it_fails_open_and_says_why() {
        let (closed, _) = recording(&host_store(false), None);
        let refusal = refused(asked(&closed).0.answer(StoreReply::Failed("connection reset".into())));
        assert_eq!((refusal.status, refusal.reason), (503, "replay_store_unavailable"));
        let note = refusal.note.unwrap();
        assert_eq!(note.level, "error");
        assert_eq!(
            note.message,
            "QStash: replay store unavailable, refusing the delivery (fail closed): connection reset"
        );
        let (open, seen) = recording(&host_store(true), None);
        let accepted = accepted(asked(&open).0.answer(StoreReply::Failed("connection reset".into())));
        let note = accepted.note.unwrap();
        assert_eq!(note.level, "warn");
        assert_eq!(
            note.message,
            "QStash: replay store unavailable, accepting the delivery unchecked (fail open): connection reset"
        );
        assert_eq!(*seen.lock().unwrap(), [outcome("accepted", "none", "current", "default")]);
    }

    #[test]
    fn a_host_store_beside_another_replay_guard_is_a_configuration_error() {
        let error = host_store(false)
            .build(Receiver::dev().into(), Some(Arc::new(MemoryReplayGuard::new(8))), None)
            .unwrap_err();
        assert!(error.to_string().contains("not both"), "{error}");
        let mut zero = host_store(false);
        zero.replay_store = Some(StoreOptions { timeout_ms: Some(Number::Float(0.0)), fail_open: None });
        assert!(zero.build(Receiver::dev().into(), None, None).unwrap_err().to_string().contains("timeout"));
    }
}
