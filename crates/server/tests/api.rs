//! Every endpoint of `khabar serve`, and bad input: 4xx with a message, never a 500.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use khabar_ingest::Article;
use khabar_server::{app, AppState, ServeOptions};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

const KEY: &str = "test-key-1234";

fn article(id: &str, source: &str, date: &str, title: &str, body: &str) -> Article {
    Article {
        id: id.into(),
        title: title.into(),
        body: body.into(),
        date: Some(date.into()),
        source: Some(source.into()),
        url: None,
    }
}

const TRUCE: &str =
    "أعلن وزير الخارجية عادل الجبير في الرياض أن الهدنة في اليمن تبدأ منتصف الليل. \
وقال الجبير إن «الهدنة فرصة لإيصال المساعدات إلى المدنيين». \
وأضاف أن القوات ستلتزم بوقف إطلاق النار خمسة أيام.";

fn articles() -> Vec<Article> {
    vec![
        article(
            "a1",
            "alpha",
            "2015-07-25 10:00:00",
            "بدء هدنة إنسانية في اليمن",
            TRUCE,
        ),
        article(
            "a2",
            "beta",
            "2015-07-25 11:00:00",
            "هدنة إنسانية في اليمن تبدأ الليلة",
            TRUCE,
        ),
        article(
            "a3",
            "alpha",
            "2015-08-02",
            "<script>alert(1)</script>",
            "افتتح أمير المنطقة معرض الكتاب في جدة بمشاركة 400 دار نشر. \
             وقالت مديرة المعرض سارة الغامدي إن الزوار تجاوزوا عشرة آلاف.",
        ),
    ]
}

struct Server {
    _dir: tempfile::TempDir,
    app: Router,
}

fn server_with(key: Option<&str>, max_body: usize) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    {
        let mut corpus = khabar_corpus::Corpus::open(&db).unwrap();
        let records = articles().into_iter().map(khabar_ingest::Record::Article);
        let report = khabar_corpus::index_records(
            &mut corpus,
            records,
            &khabar_corpus::IndexOptions::default(),
            &mut |r| panic!("{r}"),
        )
        .unwrap();
        assert_eq!(report.indexed, 3);
    }
    let state = Arc::new(AppState::open(&db, key.map(str::to_string)).unwrap());
    let opts = ServeOptions {
        db,
        max_body,
        ..Default::default()
    };
    Server {
        app: app(state, &opts),
        _dir: dir,
    }
}

fn server() -> Server {
    server_with(Some(KEY), 1 << 20)
}

struct Reply {
    status: StatusCode,
    content_type: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// A problem+json answer with `status`, whose detail contains `needle`.
    fn problem(&self, status: u16, needle: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.body
        );
        let p = self.json();
        assert_eq!(p["status"], status);
        assert!(
            p["detail"].as_str().unwrap().contains(needle),
            "{needle:?} not in {}",
            self.body
        );
    }
}

async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        content_type,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn get(app: &Router, uri: &str) -> Reply {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn post(app: &Router, uri: &str, content_type: &str, body: &str) -> Reply {
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body.to_string()))
        .unwrap();
    send(app, req).await
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[tokio::test]
async fn analyze_an_article_or_a_text() {
    let s = server();
    let r = post(
        &s.app,
        "/v1/analyze",
        "application/json",
        r#"{"id":"x1","title":"زيارة","body":"قال وزير الخارجية سامح شكري في القاهرة إن المحادثات ستستمر.","date":"2015-07-21"}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["schema"], "khabar.analysis/1");
    assert_eq!(
        v["text"],
        "زيارة\nقال وزير الخارجية سامح شكري في القاهرة إن المحادثات ستستمر."
    );
    assert!(v["entities"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["text"] == "القاهرة"));
    assert_eq!(v["quotes"][0]["speaker"]["text"], "سامح شكري");
    assert!(v.get("tokens").is_none());
    // The CLI's field order.
    assert!(
        r.body
            .starts_with("{\"schema\":\"khabar.analysis/1\",\"id\":\"x1\""),
        "{}",
        r.body
    );

    let r = post(
        &s.app,
        "/v1/analyze?tokens=true",
        "text/plain; charset=utf-8",
        "  نص قصير.",
    )
    .await;
    let v = r.json();
    assert_eq!(v["text"], "  نص قصير.");
    assert_eq!(v["tokens"][0]["start"], 2);

    post(&s.app, "/v1/analyze", "application/json", "{bad")
        .await
        .problem(400, "invalid JSON");
    post(&s.app, "/v1/analyze", "application/json", "[1,2]")
        .await
        .problem(400, "not a JSON object");
    post(
        &s.app,
        "/v1/analyze",
        "application/json",
        r#"{"title":"x"}"#,
    )
    .await
    .problem(400, "missing body");
    post(
        &s.app,
        "/v1/analyze?tokens=perhaps",
        "application/json",
        r#"{"body":"x"}"#,
    )
    .await
    .problem(400, "tokens");
}

#[tokio::test]
async fn a_huge_body_is_refused() {
    let s = server_with(Some(KEY), 4096);
    let big = format!(r#"{{"body":"{}"}}"#, "كلمة ".repeat(2000));
    let r = post(&s.app, "/v1/analyze", "application/json", &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
}

#[tokio::test]
async fn search_with_filters() {
    let s = server();
    let v = get(&s.app, &format!("/v1/search?q={}", enc("القوات")))
        .await
        .json();
    let mut ids: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["a1", "a2"]);
    assert_eq!(v["total"], 2);
    let v = get(
        &s.app,
        &format!("/v1/search?q={}&source=beta", enc("القوات")),
    )
    .await
    .json();
    assert_eq!(v["hits"][0]["id"], "a2");
    assert_eq!(v["hits"].as_array().unwrap().len(), 1);
    let v = get(
        &s.app,
        &format!("/v1/search?q={}&from=2015-08-01", enc("معرض")),
    )
    .await
    .json();
    assert_eq!(v["hits"][0]["id"], "a3");
    let v = get(&s.app, &format!("/v1/search?speaker={}", enc("الجبير")))
        .await
        .json();
    assert!(v["total"].as_u64().unwrap() >= 1, "{v}");
    get(&s.app, "/v1/search?q=x&from=yesterday-ish")
        .await
        .problem(400, "not a date");
    get(&s.app, "/v1/search?q=x&limit=0")
        .await
        .problem(400, "limit");
    get(&s.app, "/v1/search?q=x&limit=5000")
        .await
        .problem(400, "limit");
    get(&s.app, "/v1/search?q=x&limit=-3")
        .await
        .problem(400, "limit");
}

#[tokio::test]
async fn articles_stories_entities_quotes() {
    let s = server();
    let r = get(&s.app, "/v1/articles/a1").await;
    let v = r.json();
    assert_eq!(v["id"], "a1");
    let story = v["story"].as_i64().expect("a1 is in a story with its copy");
    get(&s.app, "/v1/articles/nope")
        .await
        .problem(404, "no article");

    let v = get(&s.app, "/v1/stories").await.json();
    assert_eq!(v[0]["id"], story);
    assert_eq!(v[0]["size"], 2);
    let v = get(&s.app, &format!("/v1/stories/{story}")).await.json();
    let ids: Vec<&str> = v["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a1", "a2"]);
    get(&s.app, "/v1/stories/123")
        .await
        .problem(404, "no story");
    get(&s.app, "/v1/stories/abc").await.problem(400, "");
    get(&s.app, "/v1/stories?from=nonsense")
        .await
        .problem(400, "date");

    let v = get(&s.app, "/v1/entities?type=PER").await.json();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "عادل الجبير"),
        "{v}"
    );
    get(&s.app, "/v1/entities?type=PLANET")
        .await
        .problem(400, "PLANET");
    let v = get(&s.app, &format!("/v1/entities/{}", enc("عادل الجبير")))
        .await
        .json();
    assert_eq!(v["name"], "عادل الجبير");
    assert!(v["said_total"].as_u64().unwrap() >= 2, "{v}");
    let id = v["id"].as_u64().unwrap();
    assert_eq!(
        get(&s.app, &format!("/v1/entities/{id}")).await.json()["name"],
        "عادل الجبير"
    );
    get(&s.app, &format!("/v1/entities/{}", enc("لا أحد بهذا الاسم")))
        .await
        .problem(404, "no entity");

    let v = get(
        &s.app,
        &format!(
            "/v1/quotes?speaker={}&about={}",
            enc("الجبير"),
            enc("المساعدات")
        ),
    )
    .await
    .json();
    assert!(v["total"].as_u64().unwrap() >= 1, "{v}");
    assert!(v["quotes"][0]["content"]
        .as_str()
        .unwrap()
        .contains("المساعدات"));
    get(&s.app, "/v1/quotes").await.problem(400, "speaker");
    get(
        &s.app,
        &format!("/v1/quotes?speaker={}", enc("لا أحد بهذا الاسم")),
    )
    .await
    .problem(404, "no speaker");
}

#[tokio::test]
async fn writes_need_the_key() {
    let s = server();
    let ndjson = "{\"id\":\"n1\",\"title\":\"مطر غزير\",\"body\":\"هطلت أمطار غزيرة على مدينة أبها أمس.\",\"date\":\"2015-08-20\"}\n{broken\n";
    post(&s.app, "/v1/articles", "application/x-ndjson", ndjson)
        .await
        .problem(401, "Bearer");
    let req = |key: &str| {
        Request::post("/v1/articles")
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .body(Body::from(ndjson))
            .unwrap()
    };
    send(&s.app, req("wrong-key-12"))
        .await
        .problem(401, "wrong API key");
    let r = send(&s.app, req(KEY)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(
        (v["indexed"].as_u64(), v["rejected"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(v["rejections"][0]["line"], 2);
    let hits = get(&s.app, &format!("/v1/search?q={}", enc("أمطار")))
        .await
        .json();
    assert_eq!(hits["hits"][0]["id"], "n1");

    let off = server_with(None, 1 << 20);
    send(&off.app, req(KEY)).await.problem(403, "--api-key");
}

#[tokio::test]
async fn openapi_health_and_metrics() {
    let s = server();
    let doc = get(&s.app, "/v1/openapi.json").await.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/v1/analyze",
        "/v1/search",
        "/v1/articles",
        "/v1/articles/{id}",
        "/v1/stories",
        "/v1/stories/{id}",
        "/v1/entities",
        "/v1/entities/{id}",
        "/v1/quotes",
        "/healthz",
        "/metrics",
        "/v1/openapi.json",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    let params: Vec<&str> = doc["paths"]["/v1/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        params,
        ["q", "limit", "source", "from", "to", "entity", "speaker"]
    );
    let reference = get(&s.app, "/v1/docs").await;
    assert!(reference.content_type.starts_with("text/html"));
    // (minijinja escapes `/` too.)
    assert!(reference.body.contains("v1&#x2f;quotes") && reference.body.contains("speaker"));

    let v = get(&s.app, "/healthz").await.json();
    assert_eq!(
        (v["status"].as_str(), v["articles"].as_u64()),
        (Some("ok"), Some(3))
    );
    get(&s.app, "/v1/search?q=x").await;
    get(&s.app, "/v1/articles/a1").await;
    let m = get(&s.app, "/metrics").await;
    assert!(m.content_type.starts_with("text/plain"));
    assert!(
        m.body.contains(
            "khabar_http_requests_total{method=\"GET\",route=\"/v1/search\",status=\"200\"} 1"
        ),
        "{}",
        m.body
    );
    // Routes, not raw paths: ids do not make series of their own.
    assert!(m.body.contains("route=\"/v1/articles/{id}\"") && !m.body.contains("/v1/articles/a1"));
    assert!(m.body.contains("khabar_corpus_articles 3"));
}

#[tokio::test]
async fn pages_render_and_escape_article_text() {
    let s = server();
    let home = get(&s.app, "/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("dir=\"rtl\"") && home.body.contains("<form class=\"search\""));
    let r = get(&s.app, &format!("/?q={}", enc("معرض الكتاب"))).await;
    assert!(r.body.contains("href=\"/articles/a3\""), "{}", r.body);
    // The XSS headline is text, in the hit list and on its page.
    assert!(
        r.body
            .contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("<script>alert(1)"));
    let page = get(&s.app, "/articles/a3").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("<h1 dir=\"auto\">&lt;script&gt;alert(1)&lt;&#x2f;script&gt;</h1>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<script>alert(1)"));
    assert!(page.body.contains("class=\"ent ent-per\""), "{}", page.body);
    assert!(page.body.contains("سارة الغامدي"));

    let facets = get(&s.app, &format!("/?q={}", enc("الهدنة"))).await;
    assert!(
        facets.body.contains("حسب المصدر")
            && facets
                .body
                .contains("<bdi>beta</bdi></a> <span class=\"count\">1</span>"),
        "{}",
        facets.body
    );

    let story_id = get(&s.app, "/v1/stories").await.json()[0]["id"]
        .as_i64()
        .unwrap();
    let story = get(&s.app, &format!("/stories/{story_id}")).await;
    assert!(story.body.contains("class=\"tl-point\"") && story.body.contains("<bdi>beta</bdi>"));
    let person = get(&s.app, &format!("/entities/{}", enc("عادل الجبير"))).await;
    assert_eq!(person.status, 200);
    assert!(person.body.contains("class=\"bar\"") && person.body.contains("الهدنة فرصة"));

    let form = get(&s.app, "/analyze").await;
    assert!(form.body.contains("<textarea name=\"text\""));
    let body = format!(
        "title={}&text={}",
        enc("خبر"),
        enc("قال الوزير أحمد الصالح في عمّان إن <b>الخطة</b> جاهزة.")
    );
    let analyzed = post(
        &s.app,
        "/analyze",
        "application/x-www-form-urlencoded",
        &body,
    )
    .await;
    assert_eq!(analyzed.status, 200, "{}", analyzed.body);
    assert!(
        analyzed.body.contains("ent-loc") && analyzed.body.contains("&lt;b&gt;الخطة&lt;/b&gt;")
    );
    // The speaker by name, the role the article gives beside it.
    assert!(
        analyzed
            .body
            .contains("<bdi>أحمد الصالح</bdi></a><span class=\"role\">، <bdi>الوزير</bdi></span>"),
        "{}",
        analyzed.body
    );
    let empty = post(
        &s.app,
        "/analyze",
        "application/x-www-form-urlencoded",
        "title=&text=",
    )
    .await;
    assert_eq!(empty.status, 400);

    let missing = get(&s.app, "/articles/nope").await;
    assert_eq!(missing.status, 404);
    assert!(missing.content_type.starts_with("text/html"));
    let css = get(&s.app, "/static/khabar.css").await;
    assert!(css.content_type.starts_with("text/css"));
    get(&s.app, "/v1/no-such-endpoint")
        .await
        .problem(404, "nothing at");
}

#[tokio::test]
async fn odd_requests_never_get_a_server_error() {
    let s = server();
    let odd = [
        "/v1/search?q=%22",
        "/v1/search?q=%22%22%22",
        "/v1/search?q=*&limit=1",
        "/v1/search?q=(((",
        "/v1/search?limit=abc",
        "/v1/search?to=2015-13-45",
        "/v1/articles/%00",
        "/v1/articles/..%2F..%2Fetc%2Fpasswd",
        "/v1/stories/99999999999999999999999",
        "/v1/stories?limit=0",
        "/v1/entities/%20",
        "/v1/entities?limit=99999",
        "/v1/quotes?speaker=%22&from=x",
        "/?q=%3Cscript%3E",
        "/?from=x",
        "/entities/%00",
        "/stories/-1",
        "/articles/",
        "/v1/",
    ];
    for uri in odd {
        let r = get(&s.app, uri).await;
        assert!(r.status.as_u16() < 500, "{uri} → {} {}", r.status, r.body);
    }
    for body in [
        "",
        "null",
        "\"text\"",
        "{\"body\": 5}",
        "{\"body\": \"\\ud800\"}",
    ] {
        let r = post(&s.app, "/v1/analyze", "application/json", body).await;
        assert!(r.status.as_u16() < 500, "{body} → {} {}", r.status, r.body);
    }
}
