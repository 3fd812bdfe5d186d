//! Real `redis-server` processes on loopback for the replay tests of every language: one that
//! speaks TLS only (a CA, a server and a client certificate generated here, the server asking
//! for the client's), and a Redis Cluster of three masters created with `redis-cli --cluster
//! create`. Each stops (and removes its files) when dropped. `redis-fixture` (a binary of this
//! crate) starts them for the Python and Node tests.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A folder of its own under the system's temporary folder, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(what: &str) -> Self {
        let dir = tempfile::Builder::new().prefix(&format!("qstash-{what}-")).tempdir().unwrap().keep();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A port nothing listens on now (the cluster bus takes port + 10000: kept below 55536).
fn free_port() -> u16 {
    loop {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if port < 55_000 && TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
}

/// `redis-server` on loopback, nothing saved to disk, with `args`.
fn spawn(args: &[&str]) -> Child {
    Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("redis-server cannot start (cargo xtask system installs it): {error}"))
}

/// Waits until `ready()` or panics after 20 s: a server starting, a cluster agreeing.
fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ready() {
        assert!(Instant::now() < deadline, "{what} within 20 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn listening(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// The PEM files of a test CA and the certificates it signed for 127.0.0.1 / localhost.
#[derive(Debug, Clone)]
pub struct TestCertificates {
    /// The CA certificate.
    pub ca: PathBuf,
    /// The server certificate and key.
    pub server_cert: PathBuf,
    /// The server key.
    pub server_key: PathBuf,
    /// A client certificate the server accepts.
    pub client_cert: PathBuf,
    /// Its key.
    pub client_key: PathBuf,
    /// Another CA, which signed nothing the server holds: trusting it instead of [`ca`] must
    /// fail the handshake, whatever client certificate is shown.
    ///
    /// [`ca`]: TestCertificates::ca
    pub other_ca: PathBuf,
}

impl TestCertificates {
    fn generate(dir: &Path) -> Self {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
        let authority = |name: &str| {
            let key = KeyPair::generate().unwrap();
            let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params.distinguished_name.push(rcgen::DnType::CommonName, name);
            let cert = params.self_signed(&key).unwrap();
            (params, key, cert)
        };
        let (ca_params, ca_key, ca) = authority("qstash-kit test CA");
        let (_, _, other_ca) = authority("qstash-kit test CA");
        let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
        let signed = |names: Vec<String>| {
            let key = KeyPair::generate().unwrap();
            let cert = CertificateParams::new(names).unwrap().signed_by(&key, &issuer).unwrap();
            (cert.pem(), key.serialize_pem())
        };
        let (server_cert, server_key) = signed(vec!["localhost".into(), "127.0.0.1".into()]);
        let (client_cert, client_key) = signed(vec!["qstash-kit-test-client".into()]);
        let write = |name: &str, pem: &str| {
            let path = dir.join(name);
            std::fs::write(&path, pem).unwrap();
            path
        };
        TestCertificates {
            ca: write("ca.pem", &ca.pem()),
            server_cert: write("server.pem", &server_cert),
            server_key: write("server.key", &server_key),
            client_cert: write("client.pem", &client_cert),
            client_key: write("client.key", &client_key),
            other_ca: write("other-ca.pem", &other_ca.pem()),
        }
    }
}

/// The one user of the TLS server, and its password.
pub const TLS_USER: &str = "qstash-app";
/// See [`TLS_USER`].
pub const TLS_PASSWORD: &str = "s3cret-for-tests";

/// A `redis-server` reachable over TLS only (its plain port is off), which requires a client
/// certificate signed by the test CA and a password (user [`TLS_USER`], allowed to `SET` keys
/// under `qstash:` and nothing else; the default user is off). Its certificate names
/// `localhost` and `127.0.0.1`; it also listens on `127.0.0.2`, a name the certificate does
/// not hold ([`TlsRedis::wrong_name_url`]).
pub struct TlsRedis {
    child: Child,
    port: u16,
    certificates: TestCertificates,
    _dir: Scratch,
}

impl TlsRedis {
    /// Generates the certificates and starts the server.
    pub fn start() -> Self {
        let dir = Scratch::new("redis-tls");
        let certificates = TestCertificates::generate(&dir.0);
        let port = free_port();
        let path = |p: &PathBuf| p.to_string_lossy().into_owned();
        let args = [
            "--bind",
            "127.0.0.1 127.0.0.2",
            "--port",
            "0",
            "--tls-port",
            &port.to_string(),
            "--tls-cert-file",
            &path(&certificates.server_cert),
            "--tls-key-file",
            &path(&certificates.server_key),
            "--tls-ca-cert-file",
            &path(&certificates.ca),
            "--tls-auth-clients",
            "yes",
            // A managed Redis's shape: no anonymous user, one that may only set the guard's keys.
            "--user",
            "default",
            "off",
            "--user",
            TLS_USER,
            "on",
            &format!(">{TLS_PASSWORD}"),
            "~qstash:*",
            "+set",
            "+ping",
            "+client",
            "+hello",
        ];
        let server = TlsRedis { child: spawn(&args), port, certificates, _dir: dir };
        wait_for("redis-server (TLS) listening", || listening(port));
        server
    }

    /// `rediss://USER:PASSWORD@127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("rediss://{TLS_USER}:{TLS_PASSWORD}@127.0.0.1:{}/", self.port)
    }

    /// The same server through `127.0.0.2`, an address its certificate does not name: a
    /// client that checks the server's name must refuse it.
    pub fn wrong_name_url(&self) -> String {
        format!("rediss://{TLS_USER}:{TLS_PASSWORD}@127.0.0.2:{}/", self.port)
    }

    /// The port (TLS only).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The test CA and the client certificate to connect with.
    pub fn certificates(&self) -> &TestCertificates {
        &self.certificates
    }
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Redis Cluster of three masters on loopback, slots spread by `redis-cli --cluster create`.
pub struct RedisCluster {
    children: Vec<Child>,
    ports: Vec<u16>,
    _dir: Scratch,
}

impl RedisCluster {
    /// Starts three cluster-enabled servers and joins them into one cluster.
    pub fn start() -> Self {
        // Owned from the start, so that a panic while starting still stops what started.
        let mut cluster =
            RedisCluster { children: Vec::new(), ports: Vec::new(), _dir: Scratch::new("redis-cluster") };
        let dir = cluster._dir.0.to_string_lossy().into_owned();
        for _ in 0..3 {
            let port = free_port();
            let args = [
                "--port",
                &port.to_string(),
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                &format!("nodes-{port}.conf"),
                "--dir",
                &dir,
            ];
            cluster.children.push(spawn(&args));
            cluster.ports.push(port);
            wait_for("a cluster node listening", || listening(port));
        }
        let nodes: Vec<String> = cluster.ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        let created = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&nodes)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .output()
            .unwrap();
        assert!(
            created.status.success(),
            "redis-cli --cluster create: {}",
            String::from_utf8_lossy(&created.stdout)
        );
        for &port in &cluster.ports {
            wait_for("the cluster's state ok on every node", || {
                let info =
                    Command::new("redis-cli").args(["-p", &port.to_string(), "cluster", "info"]).output();
                info.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("cluster_state:ok"))
            });
        }
        cluster
    }

    /// `redis://127.0.0.1:PORT/` of each node.
    pub fn urls(&self) -> Vec<String> {
        self.ports.iter().map(|p| format!("redis://127.0.0.1:{p}/")).collect()
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
