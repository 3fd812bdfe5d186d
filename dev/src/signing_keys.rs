//! The signing keys: the public development pair until a rotation, then keys of the server's
//! own, rotated as QStash rotates them, so a verifier's rotation handling can be tested.

use std::fmt;

use qstash_core::Signer;

use crate::ids::new_id;
use crate::users::DevUser;

/// The current and next signing keys, and their signers.
#[derive(Clone)]
pub(crate) struct AccountKeys {
    current: String,
    next: String,
    signer: Signer,
    next_signer: Signer,
}

impl Default for AccountKeys {
    fn default() -> Self {
        AccountKeys {
            current: qstash_core::DEV_CURRENT_SIGNING_KEY.to_owned(),
            next: qstash_core::DEV_NEXT_SIGNING_KEY.to_owned(),
            signer: Signer::dev(),
            next_signer: Signer::dev_next(),
        }
    }
}

impl fmt::Debug for AccountKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountKeys").field("current", &"[REDACTED]").field("next", &"[REDACTED]").finish()
    }
}

impl AccountKeys {
    /// The pair of `user`, before any rotation.
    pub(crate) fn of(user: &DevUser) -> Self {
        match (Signer::new(user.current_signing_key), Signer::new(user.next_signing_key)) {
            (Ok(signer), Ok(next_signer)) => AccountKeys {
                current: user.current_signing_key.to_owned(),
                next: user.next_signing_key.to_owned(),
                signer,
                next_signer,
            },
            // The default user's keys, the public pair `Signer::new` leaves to `Signer::dev`.
            _ => AccountKeys::default(),
        }
    }

    /// The pair `(current, next)` as it was saved (`--data`), whatever rotations made it.
    #[cfg(feature = "persist")]
    pub(crate) fn from_pair(current: &str, next: &str) -> Option<Self> {
        let signer = |key: &str| match key {
            qstash_core::DEV_CURRENT_SIGNING_KEY => Some(Signer::dev()),
            qstash_core::DEV_NEXT_SIGNING_KEY => Some(Signer::dev_next()),
            _ => Signer::new(key).ok(),
        };
        Some(AccountKeys {
            current: current.to_owned(),
            next: next.to_owned(),
            signer: signer(current)?,
            next_signer: signer(next)?,
        })
    }

    /// `(current, next)`.
    pub(crate) fn pair(&self) -> (String, String) {
        (self.current.clone(), self.next.clone())
    }

    /// The pair as `GET /v2/keys` answers it.
    pub(crate) fn view(&self) -> qstash_client::SigningKeys {
        qstash_client::SigningKeys { current: self.current.clone(), next: self.next.clone() }
    }

    /// The signer every delivery is signed with: the current key's.
    pub(crate) fn signer(&self) -> Signer {
        self.signer.clone()
    }

    /// QStash's rotation: the next key becomes the current one and a new next key is made.
    /// A verifier that holds both old keys keeps accepting deliveries after one rotation.
    pub(crate) fn rotate(&mut self) {
        let fresh = new_id("sig");
        // A key made here is never empty nor a development key, the two that `new` refuses.
        let Ok(fresh_signer) = Signer::new(&fresh) else { return };
        self.current = std::mem::replace(&mut self.next, fresh);
        self.signer = std::mem::replace(&mut self.next_signer, fresh_signer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotation_promotes_the_next_key_and_makes_a_new_one() {
        let mut keys = AccountKeys::default();
        keys.rotate();
        let (current, next) = keys.pair();
        assert_eq!(current, qstash_core::DEV_NEXT_SIGNING_KEY);
        assert!(next.starts_with("sig_") && next != qstash_core::DEV_CURRENT_SIGNING_KEY && next != current);
        let token = keys.signer().token("https://example.com/hook", b"body").sign();
        let request = qstash_core::Request::new(&token, b"body").url("https://example.com/hook");
        assert!(qstash_core::Receiver::dev().verify(&request).is_ok(), "the old pair's next key verifies");
        keys.rotate();
        assert_eq!(keys.pair().0, next);
    }

    #[test]
    fn each_user_signs_with_its_own_pair() {
        for user in &crate::users::DEV_USERS {
            let keys = AccountKeys::of(user);
            assert_eq!(keys.pair(), (user.current_signing_key.to_owned(), user.next_signing_key.to_owned()));
            let token = keys.signer().token("https://example.com/hook", b"body").sign();
            let receiver = match qstash_core::Receiver::new(user.current_signing_key, user.next_signing_key) {
                Ok(receiver) => receiver,
                // The default user's pair: the public development keys, which only `dev()` takes.
                Err(_) => qstash_core::Receiver::dev(),
            };
            let request = qstash_core::Request::new(&token, b"body").url("https://example.com/hook");
            assert!(receiver.verify(&request).is_ok());
        }
    }

    #[test]
    fn keys_never_print() {
        assert_eq!(
            format!("{:?}", AccountKeys::default()),
            "AccountKeys { current: \"[REDACTED]\", next: \"[REDACTED]\" }"
        );
    }
}
