//! # khabar-server
//!
//! `khabar serve`: a JSON API under `/v1` (described by an OpenAPI 3.1 document at
//! `/v1/openapi.json`, with a reference page at `/v1/docs`) and a web page for people, over
//! one corpus directory. Built on axum and tokio; the corpus and analysis calls are blocking
//! and run on tokio's blocking pool.
//!
//! * [`api`]: the JSON endpoints and their OpenAPI description.
//! * [`web`]: the HTML pages (search, article, story, entity, analyze), server-rendered from
//!   templates with every piece of text escaped.
//! * [`problem`]: errors as RFC 9457 problem details.
//! * [`metrics`]: request counts and latencies in the Prometheus text format.

pub mod api;
pub mod metrics;
pub mod problem;
pub mod web;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use khabar_corpus::{Corpus, Searcher};
use khabar_pipeline::Pipeline;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The corpus directory (created when missing).
    pub db: PathBuf,
    /// Address to listen on (localhost by default).
    pub addr: SocketAddr,
    /// Key that `POST /v1/articles` needs (`Authorization: Bearer KEY`); none: writes off.
    pub api_key: Option<String>,
    /// Origins allowed by CORS; empty: no CORS headers.
    pub cors_origins: Vec<String>,
    /// Largest request body, bytes.
    pub max_body: usize,
    /// Longest time a request may take.
    pub timeout: Duration,
    /// Requests served at once; more wait.
    pub concurrency: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            db: PathBuf::from("khabar-db"),
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            api_key: None,
            cors_origins: Vec::new(),
            max_body: 16 << 20,
            timeout: Duration::from_secs(60),
            concurrency: 256,
        }
    }
}

/// What every handler shares.
pub struct AppState {
    corpus: Mutex<Corpus>,
    /// One searcher per core: a searcher keeps one SQLite connection for its filters.
    searchers: RwLock<Vec<Arc<Searcher>>>,
    next_searcher: AtomicUsize,
    pipeline: Pipeline,
    /// Analyses run here, one per core: the NER model keeps per-thread caches, so a thread
    /// per request (tokio's blocking pool) would multiply them under load.
    analysis_pool: rayon::ThreadPool,
    api_key: Option<String>,
    metrics: metrics::Metrics,
    pages: web::Pages,
}

/// Errors starting the server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The corpus could not be opened.
    #[error("{0}")]
    Corpus(#[from] khabar_corpus::Error),
    /// The address could not be bound, or serving failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl AppState {
    /// Opens the corpus in `dir` (created when missing) and loads the analysis pipeline.
    pub fn open(dir: &std::path::Path, api_key: Option<String>) -> Result<AppState, Error> {
        let corpus = Corpus::open(dir)?;
        let searchers = open_searchers(dir)?;
        Ok(AppState {
            corpus: Mutex::new(corpus),
            searchers: RwLock::new(searchers),
            next_searcher: AtomicUsize::new(0),
            pipeline: Pipeline::default(),
            analysis_pool: rayon::ThreadPoolBuilder::new()
                .thread_name(|i| format!("khabar-analysis-{i}"))
                .build()
                .map_err(|e| std::io::Error::other(e.to_string()))?,
            api_key: api_key.filter(|k| !k.is_empty()),
            metrics: metrics::Metrics::default(),
            pages: web::Pages::new(),
        })
    }

    /// Runs an analysis on the analysis pool and waits for it without blocking a worker.
    async fn analyze<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Pipeline) -> T + Send + 'static,
    ) -> Result<T, problem::Problem> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let state = self.clone();
        self.analysis_pool.spawn(move || {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&state.pipeline)));
            let _ = tx.send(out);
        });
        match rx.await {
            Ok(Ok(out)) => Ok(out),
            _ => Err(problem::Problem::internal(
                "the analysis failed (a bug in khabar: please report the text)",
            )),
        }
    }

    fn searcher(&self) -> Arc<Searcher> {
        let all = self.searchers.read().unwrap_or_else(|e| e.into_inner());
        let i = self.next_searcher.fetch_add(1, Ordering::Relaxed) % all.len();
        all[i].clone()
    }

    /// Reopens the searchers after the corpus changed.
    fn reload_searchers(&self, dir: &std::path::Path) -> Result<(), khabar_corpus::Error> {
        let fresh = open_searchers(dir)?;
        *self.searchers.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }

    /// Runs `f` on the corpus on the blocking pool.
    async fn with_corpus<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Corpus) -> khabar_corpus::Result<T> + Send + 'static,
    ) -> Result<T, problem::Problem> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut corpus = state.corpus.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut corpus)
        })
        .await
        .map_err(|e| problem::Problem::internal(format!("task failed: {e}")))?
        .map_err(problem::Problem::from)
    }
}

fn open_searchers(dir: &std::path::Path) -> Result<Vec<Arc<Searcher>>, khabar_corpus::Error> {
    let n = std::thread::available_parallelism().map_or(2, |n| n.get());
    (0..n).map(|_| Searcher::open(dir).map(Arc::new)).collect()
}

/// The whole application: API, pages, limits, metrics.
pub fn app(state: Arc<AppState>, opts: &ServeOptions) -> Router {
    let mut router = Router::new()
        .merge(api::routes())
        .merge(web::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        .layer(DefaultBodyLimit::max(opts.max_body))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            opts.timeout,
        ))
        .layer(tower::limit::ConcurrencyLimitLayer::new(
            opts.concurrency.max(1),
        ))
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                axum::http::header::X_CONTENT_TYPE_OPTIONS,
                axum::http::HeaderValue::from_static("nosniff"),
            ),
        );
    if !opts.cors_origins.is_empty() {
        let origins: Vec<axum::http::HeaderValue> = opts
            .cors_origins
            .iter()
            .filter_map(|o| o.parse().ok())
            .collect();
        router = router.layer(
            tower_http::cors::CorsLayer::new()
                .allow_origin(origins)
                .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
                .allow_headers([
                    axum::http::header::CONTENT_TYPE,
                    axum::http::header::AUTHORIZATION,
                ]),
        );
    }
    router.with_state(state)
}

/// Serves until Ctrl-C; prints the address once listening.
pub async fn serve(opts: ServeOptions) -> Result<(), Error> {
    let dir = opts.db.clone();
    let key = opts.api_key.clone();
    let state = tokio::task::spawn_blocking(move || AppState::open(&dir, key))
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))??;
    let state = Arc::new(state);
    let listener = tokio::net::TcpListener::bind(opts.addr).await?;
    let local = listener.local_addr()?;
    eprintln!(
        "khabar: serving {} on http://{local}/ (API: http://{local}/v1/docs){}",
        opts.db.display(),
        if state.api_key.is_some() {
            ""
        } else {
            "; writes off (no --api-key)"
        }
    );
    let app = app(state, &opts);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// [`serve`] on a runtime of its own, for callers without one (`khabar serve`).
pub fn run(opts: ServeOptions) -> Result<(), Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve(opts))
}
