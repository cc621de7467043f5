//! Times the parser on pathological inputs: `md_perf [SIZE]`.

use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let server = ferrochat_md::Options::server_default();
    let plain = ferrochat_md::Options::default();
    let mut cases: Vec<(String, String)> = Vec::new();
    for ch in [
        "*", "_", "~", "[", "(", ":", "|", "<", "-", "\\", "`", "@", "#", "a", " ", "\n", ":)",
        "😀", "-_-",
    ] {
        cases.push((format!("{ch:?}x{n}"), ch.repeat(n)));
    }
    let unit = "*_~[||`a` :) -_- @u #c ";
    cases.push(("nested".into(), unit.repeat(n / unit.len())));
    let unit2 = "_a *b ~c [d ";
    cases.push(("abuse".into(), unit2.repeat(n / unit2.len())));
    // emoticons that swallow an emphasis delimiter, and emoticon chains inside emphasis
    for unit in [
        "-_- ", "_- ", "-_ ", ":) _", "* -_- *", "~-_-~ ", "__ -_- ", "*) ", ":* ", "*\\0/* ",
        "_:) ", "~:* ", "**:-* ", "__-_-",
    ] {
        cases.push((format!("{unit:?}*"), unit.repeat(n / unit.len())));
    }
    for (pre, unit) in [("_", ":)"), ("*", ":)"), ("~", ":)"), ("_*", ":*")] {
        cases.push((
            format!("{pre:?}+{unit:?}*"),
            format!("{pre}{}", unit.repeat(n / unit.len())),
        ));
    }
    for (oname, o) in [("server", &server), ("default", &plain)] {
        println!("-- options: {oname}");
        for (name, s) in &cases {
            let t = Instant::now();
            let r = ferrochat_md::parse(s, o);
            println!(
                "{name:>16}: {:>8.2} ms ({} blocks)",
                t.elapsed().as_secs_f64() * 1e3,
                r.map(|r| r.len()).unwrap_or(0)
            );
        }
    }
}
