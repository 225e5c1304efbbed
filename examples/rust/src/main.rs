//! A small HTTP server: the program the image holds, with Debian's libc and nothing else.

use tiny_http::{Response, Server};

fn main() {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
    let server = Server::http(format!("0.0.0.0:{port}")).expect("cannot listen");
    eprintln!("listening on :{port}");
    for request in server.incoming_requests() {
        let body = match request.url() {
            "/healthz" => "ok\n".to_string(),
            _ => format!("hello from rust on {}\n", std::env::consts::ARCH),
        };
        let _ = request.respond(Response::from_string(body));
    }
}
