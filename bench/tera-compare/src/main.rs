//! Tera 1 (the engine factsheet uses) against Tera 2 on factsheet's page template: the same
//! context, rendered by `templates/` with Tera 1 and by the Tera 2 port in `templates-v2/`.
//!
//! ```text
//! bench/tera-compare.sh            # makes the context from a corpus page, then runs this
//! cargo run --release --manifest-path bench/tera-compare/Cargo.toml -- \
//!     --v1 templates --v2 bench/tera-compare/templates-v2 --context CONTEXT.json [--n 2000]
//! ```
//!
//! Prints whether both outputs are the same and, per engine, the median time to build the
//! template context from a serde value (factsheet builds one per page) and to render.

use std::path::Path;
use std::time::Instant;

fn load(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read a templates folder") {
        let p = e.expect("an entry").path();
        if p.extension().is_some_and(|x| x == "html") {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            out.push((name, std::fs::read_to_string(&p).expect("read a template")));
        }
    }
    out.sort();
    out
}

/// factsheet's escape function (src/templates.rs).
fn escape1(input: &str) -> String {
    html_escape::encode_quoted_attribute(input).into_owned()
}

fn escape2(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(html_escape::encode_quoted_attribute(input).as_bytes())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let (mut v1, mut v2, mut context, mut n) = (None, None, None, 2000usize);
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let v = it.next().expect("a value");
        match a.as_str() {
            "--v1" => v1 = Some(v),
            "--v2" => v2 = Some(v),
            "--context" => context = Some(v),
            "--n" => n = v.parse().expect("a number"),
            _ => panic!("unknown argument {a}"),
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(context.expect("--context FILE")).unwrap())
            .unwrap();

    let mut t1 = tera1::Tera::default();
    t1.autoescape_on(vec![".html", ".htm", ".xml"]);
    t1.set_escape_fn(escape1);
    t1.add_raw_templates(load(Path::new(&v1.expect("--v1 DIR"))))
        .expect("Tera 1 templates");

    let mut t2 = tera2::Tera::default();
    t2.autoescape_on(vec![".html", ".htm", ".xml"]);
    t2.set_escape_fn(escape2);
    t2.add_raw_templates(load(Path::new(&v2.expect("--v2 DIR"))))
        .expect("Tera 2 templates");

    let c1 = tera1::Context::from_value(json.clone()).unwrap();
    let c2 = tera2::Context::from_serialize(&json).unwrap();
    let out1 = t1.render("page.html", &c1).expect("Tera 1 render");
    let out2 = t2.render("page.html", &c2).expect("Tera 2 render");
    if out1 == out2 {
        println!("outputs: identical ({} bytes)", out1.len());
    } else {
        let at = out1
            .bytes()
            .zip(out2.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(out1.len().min(out2.len()));
        println!(
            "outputs: DIFFER at byte {at} ({} vs {} bytes): v1 {:?} / v2 {:?}",
            out1.len(),
            out2.len(),
            &out1[at.saturating_sub(40)..(at + 60).min(out1.len())],
            &out2[at.saturating_sub(40)..(at + 60).min(out2.len())]
        );
    }

    // Interleaved rounds, so that a noisy machine slows both engines alike.
    let (mut ctx1, mut ren1, mut ctx2, mut ren2) = (vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let s = Instant::now();
        let c = tera1::Context::from_serialize(&json).unwrap();
        ctx1.push(s.elapsed().as_secs_f64() * 1e6);
        let s = Instant::now();
        std::hint::black_box(t1.render("page.html", &c).unwrap());
        ren1.push(s.elapsed().as_secs_f64() * 1e6);

        let s = Instant::now();
        let c = tera2::Context::from_serialize(&json).unwrap();
        ctx2.push(s.elapsed().as_secs_f64() * 1e6);
        let s = Instant::now();
        std::hint::black_box(t2.render("page.html", &c).unwrap());
        ren2.push(s.elapsed().as_secs_f64() * 1e6);
    }
    let (c1m, r1m, c2m, r2m) = (median(ctx1), median(ren1), median(ctx2), median(ren2));
    println!("{n} renders of page.html, median per page:");
    println!(
        "  Tera 1.20: context {c1m:7.1} µs + render {r1m:7.1} µs = {:7.1} µs",
        c1m + r1m
    );
    println!(
        "  Tera 2:    context {c2m:7.1} µs + render {r2m:7.1} µs = {:7.1} µs",
        c2m + r2m
    );
    println!("  Tera 2 / Tera 1: {:.2}", (c2m + r2m) / (c1m + r1m));
}
