//! Prints criterion's results as one markdown table per benchmark group.
//!
//! ```sh
//! cargo bench -p arena-arc-benches                  # all groups (~15 minutes on 2 cores)
//! cargo bench -p arena-arc-benches -- --quick       # a quick, noisier pass
//! cargo bench -p arena-arc-benches -- small_slices  # one group (a regex on the ids)
//! cargo run -p arena-arc-benches --bin bench_table  # the tables, from target/criterion
//! cargo run -p arena-arc-benches --bin bench_table -- path/to/criterion
//! BENCH_TABLE_SVG=benches/targets.svg cargo run -p arena-arc-benches --bin bench_table
//! ```
//!
//! It starts with the targets of `shared/DESIGN.md` section 4, each with its
//! measured ratio; with `BENCH_TABLE_SVG` set it also draws them as an SVG
//! bar chart into that file.
//!
//! It reads `<criterion dir>/**/new/benchmark.json` (the ids and the
//! throughput) and `new/estimates.json` (`median.point_estimate`, in ns) of
//! every benchmark, i.e. the latest run of each. The criterion directory is
//! the first argument, else `$CRITERION_HOME`, else
//! `$CARGO_TARGET_DIR/criterion`, else the workspace's `target/criterion`.
//!
//! Columns: the median time of one iteration; the median per element (or
//! the bandwidth) when the benchmark declared a throughput; `x ref`, the
//! row's median over the reference row's (the arena-arc row marked `(ref)`,
//! so above 1 means slower than arena-arc); and `ref / row`, the reference
//! over the row, which is how `shared/DESIGN.md` section 4 states its
//! targets ("this crate over the peer", e.g. <= 0.9 against bumpalo for
//! small slices). Rows with a parameter (`copy_large/.../4KiB`,
//! `scaling/.../1000`, `tree/.../binary`) are compared with the reference
//! row of the same parameter.

use std::collections::BTreeMap;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The groups in the order the tables are printed, each with the function
/// id of its reference row. Other groups follow, in name order, with the
/// first `arena-arc/` row as the reference.
const GROUPS: &[(&str, &str)] = &[
    ("small_slices", "arena-arc/alloc_slice_copy"),
    ("single_values", "arena-arc/alloc_value"),
    ("drop_handles", "arena-arc/ArcSingle"),
    ("clone_drop", "arena-arc/ArcSingle"),
    ("read", "arena-arc/ArcSlice deref"),
    ("copy_large", "arena-arc/alloc_slice_copy"),
    ("tree", "arena-arc/explicit pool (_in)"),
    ("binary_trees", "arena-arc/per-thread pool"),
    ("scaling", "arena-arc/alloc_value"),
    ("json", "arena-arc/Json load"),
    ("intern_hit", "arena-arc/intern"),
    ("intern_miss", "arena-arc/intern"),
    ("intern_str", "arena-arc/ArcStr::intern"),
];

/// One target of `shared/DESIGN.md` section 4: the fastest of `ours` over
/// the fastest of `peers` (rows of `group` with parameter `param`) must be
/// at most `bound`.
struct Target {
    what: &'static str,
    group: &'static str,
    param: Option<&'static str>,
    ours: &'static [&'static str],
    peers: &'static [&'static str],
    bound: f64,
}

const TARGETS: &[Target] = &[
    Target {
        what: "small slices alloc_slice_copy vs fastest of bumpalo, multitude",
        group: "small_slices",
        param: None,
        ours: &["arena-arc/alloc_slice_copy"],
        peers: &["bumpalo/alloc_slice_copy", "multitude/alloc_slice_copy_arc"],
        bound: 1.0,
    },
    Target {
        what: "small slices alloc(len, init) vs fastest of bumpalo, multitude",
        group: "small_slices",
        param: None,
        ours: &["arena-arc/alloc(len, init)"],
        peers: &[
            "bumpalo/alloc_slice_fill_with",
            "multitude/alloc_slice_fill_with_arc",
        ],
        bound: 1.0,
    },
    Target {
        what: "T::alloc per-thread pool vs alloc_value explicit pool",
        group: "single_values",
        param: None,
        ours: &["arena-arc/u64::alloc (per-thread pool)"],
        peers: &["arena-arc/alloc_value"],
        bound: 1.2,
    },
    Target {
        what: "single values vs multitude alloc_arc",
        group: "single_values",
        param: None,
        ours: &["arena-arc/alloc_value"],
        peers: &["multitude/alloc_arc"],
        bound: 1.0,
    },
    Target {
        what: "single values vs bumpalo alloc",
        group: "single_values",
        param: None,
        ours: &["arena-arc/alloc_value"],
        peers: &["bumpalo/alloc"],
        bound: 1.3,
    },
    Target {
        what: "drop a handle vs multitude Arc",
        group: "drop_handles",
        param: None,
        ours: &["arena-arc/ArcSingle"],
        peers: &["multitude/Arc"],
        bound: 0.6,
    },
    Target {
        what: "copy 4 KiB in vs memcpy into a Vec",
        group: "copy_large",
        param: Some("4KiB"),
        ours: &["arena-arc/alloc_slice_copy fresh"],
        peers: &["std/Vec::with_capacity+extend_from_slice"],
        bound: 1.2,
    },
    Target {
        what: "copy 1 MiB in vs memcpy into a Vec",
        group: "copy_large",
        param: Some("1MiB"),
        ours: &["arena-arc/alloc_slice_copy fresh"],
        peers: &["std/Vec::with_capacity+extend_from_slice"],
        bound: 1.2,
    },
    Target {
        what: "clone + drop ArcSingle vs Arc<u64>",
        group: "clone_drop",
        param: None,
        ours: &["arena-arc/ArcSingle"],
        peers: &["std/Arc<u64>"],
        bound: 1.0,
    },
    Target {
        what: "clone + drop ArcSlice vs Arc<[u32]>",
        group: "clone_drop",
        param: None,
        ours: &["arena-arc/ArcSlice"],
        peers: &["std/Arc<[u32]>"],
        bound: 1.0,
    },
    Target {
        what: "read through handles vs Arc<[u32]>",
        group: "read",
        param: None,
        ours: &["arena-arc/ArcSlice deref"],
        peers: &["std/Arc<[u32]>"],
        bound: 1.0,
    },
    Target {
        what: "binary tree vs fastest of Arc, Box (3x faster)",
        group: "tree",
        param: Some("binary"),
        ours: &["arena-arc/explicit pool (_in)", "arena-arc/per-thread pool"],
        peers: &["std/Arc", "std/Box"],
        bound: 1.0 / 3.0,
    },
    Target {
        what: "wide tree vs fastest of Arc, Box (3x faster)",
        group: "tree",
        param: Some("wide"),
        ours: &["arena-arc/explicit pool (_in)", "arena-arc/per-thread pool"],
        peers: &["std/Arc", "std/Box"],
        bound: 1.0 / 3.0,
    },
    Target {
        what: "wide tree explicit pool vs Box",
        group: "tree",
        param: Some("wide"),
        ours: &["arena-arc/explicit pool (_in)"],
        peers: &["std/Box"],
        bound: 1.0,
    },
    Target {
        what: "wide tree per-thread pool vs Box",
        group: "tree",
        param: Some("wide"),
        ours: &["arena-arc/per-thread pool"],
        peers: &["std/Box"],
        bound: 1.0,
    },
    Target {
        what: "binary-trees per-thread pool vs multitude",
        group: "binary_trees",
        param: None,
        ours: &["arena-arc/per-thread pool"],
        peers: &["multitude"],
        bound: 0.7,
    },
    Target {
        what: "binary-trees per-thread pool vs bumpalo",
        group: "binary_trees",
        param: None,
        ours: &["arena-arc/per-thread pool"],
        peers: &["bumpalo"],
        bound: 1.5,
    },
    Target {
        what: "binary-trees per-thread pool vs Box",
        group: "binary_trees",
        param: None,
        ours: &["arena-arc/per-thread pool"],
        peers: &["std/Box"],
        bound: 0.5,
    },
    Target {
        what: "JSON load canada vs serde_json::Value",
        group: "json",
        param: Some("canada"),
        ours: &["arena-arc/Json load"],
        peers: &["serde_json/Value load"],
        bound: 1.0,
    },
    Target {
        what: "JSON load citm_catalog vs serde_json::Value",
        group: "json",
        param: Some("citm_catalog"),
        ours: &["arena-arc/Json load"],
        peers: &["serde_json/Value load"],
        bound: 1.0,
    },
    Target {
        what: "JSON load twitter vs serde_json::Value",
        group: "json",
        param: Some("twitter"),
        ours: &["arena-arc/Json load"],
        peers: &["serde_json/Value load"],
        bound: 1.0,
    },
    Target {
        what: "intern hit (Adt: two u64 + String) vs internment ArcIntern",
        group: "intern_hit",
        param: Some("adt"),
        ours: &["arena-arc/intern"],
        peers: &["internment/ArcIntern"],
        bound: 0.5,
    },
    Target {
        what: "intern hit (Ptr of an interned child) vs internment ArcIntern",
        group: "intern_hit",
        param: Some("ptr"),
        ours: &["arena-arc/intern"],
        peers: &["internment/ArcIntern"],
        bound: 0.5,
    },
    Target {
        what: "intern miss (intern + drop) vs internment ArcIntern",
        group: "intern_miss",
        param: None,
        ours: &["arena-arc/intern"],
        peers: &["internment/ArcIntern"],
        bound: 1.0,
    },
];

/// Prints every target with its measured ratio, and how flat arena-arc's
/// cost per allocation stays across the `scaling` sizes.
fn print_targets(rows: &BTreeMap<String, Vec<Row>>) -> Vec<(&'static Target, f64)> {
    let mut measured = Vec::new();
    println!("\n### Targets (DESIGN.md section 4)\n");
    println!("| target | arena-arc | peer | ratio | bound | met |");
    println!("| --- | ---: | ---: | ---: | ---: | :---: |");
    let fastest = |group: &str, param: Option<&str>, names: &[&str]| {
        rows.get(group)?
            .iter()
            .filter(|r| r.parameter.as_deref() == param && names.contains(&r.function.as_str()))
            .min_by(|a, b| a.median_ns.total_cmp(&b.median_ns))
            .map(|r| (r.function.clone(), r.median_ns))
    };
    for t in TARGETS {
        let (Some((ours, o)), Some((peer, p))) = (
            fastest(t.group, t.param, t.ours),
            fastest(t.group, t.param, t.peers),
        ) else {
            println!("| {} | - | - | - | {:.2} | not run |", t.what, t.bound);
            continue;
        };
        let ratio = o / p;
        measured.push((t, ratio));
        println!(
            "| {} | {} ({ours}) | {} ({peer}) | {ratio:.2} | {:.2} | {} |",
            t.what,
            format_ns(o),
            format_ns(p),
            t.bound,
            if ratio <= t.bound { "yes" } else { "**no**" }
        );
    }
    let mut per_alloc: Vec<(String, f64)> = rows
        .get("scaling")
        .into_iter()
        .flatten()
        .filter(|r| r.function == "arena-arc/alloc_value")
        .filter_map(|r| {
            let n = r.parameter.as_deref()?.parse::<f64>().ok()?;
            Some((r.parameter.clone()?, r.median_ns / n))
        })
        .collect();
    per_alloc.sort_by_key(|(n, _)| param_key(&Some(n.clone())));
    if !per_alloc.is_empty() {
        let min = per_alloc.iter().map(|x| x.1).fold(f64::INFINITY, f64::min);
        let max = per_alloc.iter().map(|x| x.1).fold(0.0, f64::max);
        let list: Vec<String> = per_alloc
            .iter()
            .map(|(n, ns)| format!("{n}: {}", format_ns(*ns)))
            .collect();
        println!(
            "\nCost per `alloc_value` by number of allocations: {} (max / min {:.2}).",
            list.join(", "),
            max / min
        );
    }
    measured
}

/// A horizontal bar chart of the target ratios (log scale, 1 = as fast as
/// the peer), each bar with its bound marked; bars within the bound are green.
fn targets_svg(measured: &[(&Target, f64)]) -> String {
    const LABEL: f64 = 330.0;
    const PLOT: f64 = 420.0;
    const ROW: f64 = 26.0;
    // Log2 axis from 1/8 to 4.
    let (lo, hi) = (-3.0f64, 2.0f64);
    let x = |ratio: f64| LABEL + (ratio.log2().clamp(lo, hi) - lo) / (hi - lo) * PLOT;
    let height = 40.0 + ROW * measured.len() as f64 + 30.0;
    let width = LABEL + PLOT + 70.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{LABEL}\" y=\"18\" font-weight=\"bold\">arena-arc time / peer time \
         (log scale from 1; black tick = target, green = met)</text>\n"
    );
    for (i, (t, ratio)) in measured.iter().enumerate() {
        let y = 32.0 + ROW * i as f64;
        let color = if *ratio <= t.bound {
            "#3a9a4a"
        } else {
            "#c8553d"
        };
        let (x0, x1) = (x(1.0f64.min(*ratio)), x(1.0f64.max(*ratio)));
        svg += &format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n\
             <rect x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{color}\"/>\n\
             <line x1=\"{b:.1}\" x2=\"{b:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"black\" stroke-width=\"2\"/>\n\
             <text x=\"{:.1}\" y=\"{:.1}\">{ratio:.2}</text>\n",
            LABEL - 8.0,
            y + 14.0,
            t.what
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;"),
            (x1 - x0).max(1.0),
            ROW - 8.0,
            y - 2.0,
            y + ROW - 6.0,
            x1.max(x(t.bound)) + 6.0,
            y + 14.0,
            b = x(t.bound),
        );
    }
    let axis_y = 32.0 + ROW * measured.len() as f64 + 4.0;
    for e in lo as i32..=hi as i32 {
        let r = 2f64.powi(e);
        svg += &format!(
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"26\" y2=\"{axis_y:.1}\" stroke=\"#bbb\" \
             stroke-dasharray=\"{1}\"/>\n<text x=\"{0:.1}\" y=\"{2:.1}\" text-anchor=\"middle\">{3}</text>\n",
            x(r),
            if e == 0 { "none" } else { "3,3" },
            axis_y + 16.0,
            if e < 0 {
                format!("1/{}", 1 << -e)
            } else {
                format!("{}", 1 << e)
            },
        );
    }
    svg + "</svg>\n"
}

#[derive(Debug)]
struct Row {
    function: String,
    parameter: Option<String>,
    median_ns: f64,
    throughput: Option<(&'static str, f64)>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = criterion_dir();
    let mut rows: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    let mut files = Vec::new();
    find_benchmarks(&dir, &mut files)?;
    if files.is_empty() {
        return Err(format!(
            "no criterion results under {}; run `cargo bench -p arena-arc-benches` first",
            dir.display()
        )
        .into());
    }
    for new_dir in files {
        let (group, row) = read_row(&new_dir).map_err(|e| format!("{}: {e}", new_dir.display()))?;
        rows.entry(group).or_default().push(row);
    }

    println!("<!-- criterion results from {} -->", dir.display());
    let measured = print_targets(&rows);
    if let Some(path) = std::env::var_os("BENCH_TABLE_SVG") {
        fs::write(&path, targets_svg(&measured))?;
        eprintln!("wrote {}", Path::new(&path).display());
    }
    let mut order: Vec<String> = GROUPS
        .iter()
        .map(|(g, _)| g.to_string())
        .filter(|g| rows.contains_key(g))
        .collect();
    order.extend(
        rows.keys()
            .filter(|g| !GROUPS.iter().any(|(k, _)| k == g))
            .cloned(),
    );
    for group in order {
        let reference = GROUPS.iter().find(|(g, _)| *g == group).map(|(_, r)| *r);
        print_group(&group, rows.remove(&group).unwrap_or_default(), reference);
    }
    Ok(())
}

fn criterion_dir() -> PathBuf {
    if let Some(arg) = std::env::args_os().nth(1) {
        return arg.into();
    }
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return home.into();
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Path::new(&target).join("criterion");
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion")
}

/// Every `new` directory holding a `benchmark.json` and an `estimates.json`.
fn find_benchmarks(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry?.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new")
            && path.join("benchmark.json").is_file()
            && path.join("estimates.json").is_file()
        {
            out.push(path);
        } else if path.file_name().is_none_or(|n| n != "report") {
            find_benchmarks(&path, out)?;
        }
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<Value, Box<dyn Error>> {
    Ok(serde_json::from_str(&fs::read_to_string(path)?)?)
}

fn read_row(new_dir: &Path) -> Result<(String, Row), Box<dyn Error>> {
    let bench = read_json(&new_dir.join("benchmark.json"))?;
    let estimates = read_json(&new_dir.join("estimates.json"))?;
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let group = text(&bench["group_id"]).ok_or("no group_id")?;
    let function = text(&bench["function_id"]).unwrap_or_else(|| group.clone());
    let parameter = text(&bench["value_str"]);
    let median_ns = estimates["median"]["point_estimate"]
        .as_f64()
        .ok_or("no median.point_estimate")?;
    let throughput = ["Elements", "Bytes", "BytesDecimal", "Bits"]
        .into_iter()
        .zip(["elem", "B", "B", "bit"])
        .find_map(|(key, unit)| bench["throughput"][key].as_f64().map(|n| (unit, n)));
    Ok((
        group,
        Row {
            function,
            parameter,
            median_ns,
            throughput,
        },
    ))
}

fn print_group(group: &str, mut rows: Vec<Row>, reference: Option<&str>) {
    // Sub-tables by parameter, each sorted by median.
    rows.sort_by(|a, b| {
        param_key(&a.parameter)
            .cmp(&param_key(&b.parameter))
            .then(a.median_ns.total_cmp(&b.median_ns))
    });
    println!("\n### {group}\n");
    println!("| benchmark | median | per element | x ref | ref / row |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let mut start = 0;
    while start < rows.len() {
        let param = &rows[start].parameter;
        let end = start
            + rows[start..]
                .iter()
                .take_while(|r| &r.parameter == param)
                .count();
        let part = &rows[start..end];
        let ref_row = reference
            .and_then(|id| part.iter().find(|r| r.function == id))
            .or_else(|| part.iter().find(|r| r.function.starts_with("arena-arc/")));
        for row in part {
            let name = match &row.parameter {
                Some(p) => format!("{}/{p}", row.function),
                None => row.function.clone(),
            };
            let is_ref = ref_row.is_some_and(|r| std::ptr::eq(r, row));
            let name = if is_ref {
                format!("**{name}** (ref)")
            } else {
                name
            };
            let (x_ref, ref_over) = match ref_row {
                Some(r) => (
                    format!("{:.2}", row.median_ns / r.median_ns),
                    format!("{:.2}", r.median_ns / row.median_ns),
                ),
                None => ("-".into(), "-".into()),
            };
            println!(
                "| {name} | {} | {} | {x_ref} | {ref_over} |",
                format_ns(row.median_ns),
                per_element(row)
            );
        }
        start = end;
    }
}

/// Orders numeric parameters numerically (`1000` before `100000`).
fn param_key(p: &Option<String>) -> (u8, u128, String) {
    match p {
        None => (0, 0, String::new()),
        Some(s) => match s.parse::<u128>() {
            Ok(n) => (1, n, String::new()),
            Err(_) => (2, 0, s.clone()),
        },
    }
}

fn per_element(row: &Row) -> String {
    match row.throughput {
        Some(("B", bytes)) => {
            let gib_per_s = bytes / row.median_ns * 1e9 / f64::from(1u32 << 30);
            format!("{gib_per_s:.2} GiB/s")
        }
        Some((unit, n)) if n > 0.0 => format!("{}/{unit}", format_ns(row.median_ns / n)),
        _ => "-".into(),
    }
}

fn format_ns(ns: f64) -> String {
    if ns < 10.0 {
        format!("{ns:.2} ns")
    } else if ns < 1e3 {
        format!("{ns:.1} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}
