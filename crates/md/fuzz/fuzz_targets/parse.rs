#![no_main]

use ferrochat_md::{KatexOptions, Options, parse, to_json_string};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let msg = String::from_utf8_lossy(data);
    let katex_both = Options {
        colors: true,
        emoticons: true,
        katex: Some(KatexOptions {
            dollar_syntax: true,
            parenthesis_syntax: true,
        }),
        custom_domains: vec!["local".to_string()],
    };
    for opts in [Options::default(), Options::server_default(), katex_both] {
        // A panic anywhere in here is a crash for libFuzzer.
        match parse(&msg, &opts) {
            Ok(root) => {
                let json = to_json_string(&root);
                assert!(json.starts_with('['), "AST JSON is not an array: {json}");
            }
            // Upstream only fails on the empty message.
            Err(e) => assert!(msg.is_empty(), "parse error on non-empty input: {}", e.message),
        }
    }
});
