//! Any bytes, as a Dockerfile: the parser must return (a file or an error naming a line), and
//! the rules must run over whatever it returns, without panicking or hanging.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match bosun_dockerfile::Dockerfile::parse(&text) {
        Ok(file) => {
            for i in file.instructions() {
                let _ = i.words(file.escape);
            }
        }
        Err(e) => assert!(e.line >= 1, "error without a line: {e}"),
    }
    let options = bosun_lint::Options::default();
    let report = bosun_lint::lint(&text, &options);
    // Every finding points at a line of the file.
    assert!(report.failures.iter().all(|f| f.line >= 1), "{report:?}");
});
