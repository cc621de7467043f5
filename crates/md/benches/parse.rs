//! Criterion benchmark: parses every public-corpus message with its own options.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ferrochat_md::{Options, parse};

fn corpus() -> Vec<(String, Options)> {
    let data = include_str!("../tests/data/md-corpus-public.jsonl");
    data.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            let msg = v.get("msg")?.as_str()?.to_string();
            if msg.is_empty() {
                return None;
            }
            let opts = v.get("options").map(Options::from_json).unwrap_or_default();
            Some((msg, opts))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let cases = corpus();
    let mut g = c.benchmark_group("public-corpus");
    g.throughput(Throughput::Elements(cases.len() as u64));
    g.bench_function("parse all", |b| {
        b.iter(|| {
            for (m, o) in &cases {
                let r = parse(m, o);
                std::hint::black_box(&r);
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
