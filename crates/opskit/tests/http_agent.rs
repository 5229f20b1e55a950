//! The core's ureq agent against a real local server: `max_body` bounds what is read.

use opskit::http::{BodyError, HttpOptions, read_body};
use testkit::{HttpServer, Reply};

#[test]
fn max_body_is_honoured_and_a_longer_body_is_an_error() {
    let server = HttpServer::start(|_| Reply::new(200, vec![b'x'; 100_000]));
    let small = HttpOptions {
        max_body: 64 * 1024,
        ..HttpOptions::default()
    };
    let mut response = opskit::http::agent(&small)
        .get(&server.url())
        .call()
        .unwrap();
    match read_body(&mut response, &small) {
        Err(BodyError::TooLarge { limit }) => assert_eq!(limit, 64 * 1024),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let large = HttpOptions::default();
    let mut response = opskit::http::agent(&large)
        .get(&server.url())
        .call()
        .unwrap();
    assert_eq!(read_body(&mut response, &large).unwrap().len(), 100_000);
}

#[test]
fn error_statuses_are_answers_and_redirects_are_not_followed() {
    let server = HttpServer::start(|r| match r.url.as_str() {
        "/moved" => Reply::new(302, "").header("Location", "/secret"),
        _ => Reply::new(401, "who are you"),
    });
    let options = HttpOptions::default();
    let agent = opskit::http::agent(&options);
    let mut response = agent.get(&format!("{}/x", server.url())).call().unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(read_body(&mut response, &options).unwrap(), "who are you");
    let response = agent
        .get(&format!("{}/moved", server.url()))
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 302);
    assert!(
        server.requests().iter().all(|r| r.url != "/secret"),
        "the redirect was followed"
    );
}
