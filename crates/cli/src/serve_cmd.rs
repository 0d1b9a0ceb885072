//! `khabar serve`: the HTTP API and the web page over a corpus.

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `khabar serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// Corpus directory (made by `khabar index`; created empty when missing).
    #[arg(long)]
    db: PathBuf,
    /// Address to listen on. The default serves this machine only.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Key that writes (`POST /v1/articles`) need, sent as `Authorization: Bearer KEY`.
    /// Without one, writes are off.
    #[arg(long, env = "KHABAR_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Allow cross-origin requests from this origin (repeat for more). Off by default.
    #[arg(long = "cors-origin")]
    cors_origins: Vec<String>,
    /// Largest request body, in MiB.
    #[arg(long, default_value_t = 16)]
    max_body_mib: usize,
    /// Longest a request may take, in seconds.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Requests served at once (more wait their turn).
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
}

/// `khabar serve`.
pub fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let opts = khabar_server::ServeOptions {
        db: args.db,
        addr: args.addr,
        api_key: args.api_key,
        cors_origins: args.cors_origins,
        max_body: args.max_body_mib.max(1) << 20,
        timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        concurrency: args.concurrency.max(1),
    };
    khabar_server::run(opts)?;
    Ok(ExitCode::SUCCESS)
}
