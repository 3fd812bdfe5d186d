//! The official dev server's users: the default one and three test users, each with its own
//! public token and signing keys.

/// The development token of the official QStash dev server's default user (public, not a
/// secret).
pub const DEV_TOKEN: &str = "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=";

/// One of the official dev server's users: its token and signing keys, all public (they are
/// printed by that server and in its docs), for development only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DevUser {
    /// The `QSTASH_TOKEN` of this user.
    pub token: &'static str,
    /// The `QSTASH_CURRENT_SIGNING_KEY` its deliveries are signed with.
    pub current_signing_key: &'static str,
    /// The `QSTASH_NEXT_SIGNING_KEY`.
    pub next_signing_key: &'static str,
}

/// The four users of the official dev server, the default user first.
pub const DEV_USERS: [DevUser; 4] = [
    DevUser {
        token: DEV_TOKEN,
        current_signing_key: qstash_core::DEV_CURRENT_SIGNING_KEY,
        next_signing_key: qstash_core::DEV_NEXT_SIGNING_KEY,
    },
    DevUser {
        token: "eyJVc2VySUQiOiJ0ZXN0VXNlcjEiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9",
        current_signing_key: "sig_7GVPjvuwsfqF65iC8fSrs1dfYruM",
        next_signing_key: "sig_5NoELc3EFnZn4DVS5bDs2Nk4b7Ua",
    },
    DevUser {
        token: "eyJVc2VySUQiOiJ0ZXN0VXNlcjIiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9",
        current_signing_key: "sig_6jWGaWRxHsw4vMSPJprXadyvrybF",
        next_signing_key: "sig_7qHbvhmahe5GwfePDiS5Lg3pi6Qx",
    },
    DevUser {
        token: "eyJVc2VySUQiOiJ0ZXN0VXNlcjMiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9",
        current_signing_key: "sig_5T8FcSsynBjn9mMLBsXhpacRovJf",
        next_signing_key: "sig_7GFR4YaDshFcqsxWRZpRB161jguD",
    },
];
