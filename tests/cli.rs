//! The command line: `autobatch demo --json` reproduces JAX's run; bad options are one-line
//! errors with exit code 2, found before any work, leaving no file behind.

mod common;
use std::process::Command;

fn autobatch(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_autobatch"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("autobatch-cli-{}-{name}", std::process::id()))
}

#[test]
fn demo_json_matches_jax() {
    let out_path = temp("posterior.png");
    let out = autobatch(&["demo", "--json", "--out", out_path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let golden = common::load("seed_notebook.json");
    let part = &golden["part_c_vi"];
    let elbo: Vec<f64> = v["elbo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let want = common::f32s(&part["elbo_every_iteration"]);
    assert_eq!(elbo.len(), 1000);
    for (i, (a, b)) in elbo.iter().zip(&want).enumerate() {
        assert!((a - *b as f64).abs() <= 5e-4, "step {i}: {a} vs {b}");
    }
    let last = part["states_after_n_updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["n_updates"] == 1000)
        .unwrap();
    for key in ["beta_loc", "beta_log_scale"] {
        let got: Vec<f64> = v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        for (a, b) in got.iter().zip(common::f32s(&last[key])) {
            assert!((a - b as f64).abs() <= 2e-5, "{key}: {a} vs {b}");
        }
    }
    let true_beta: Vec<f32> = v["true_beta"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect();
    assert_eq!(true_beta, common::f32s(&golden["data"]["true_beta"]));
    for key in ["compile_s", "steps_s", "per_step_us"] {
        assert!(v["timing"][key].as_f64().unwrap() >= 0.0, "{key}");
    }
    let png = std::fs::read(&out_path).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    std::fs::remove_file(&out_path).unwrap();
}

#[test]
fn text_output_prints_every_k_steps() {
    let out_path = temp("small.svg");
    let out = autobatch(&[
        "demo",
        "--steps",
        "25",
        "--print-every",
        "10",
        "--out",
        out_path.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| l.contains('\t')).collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("0\t-175.56"), "{text}");
    assert!(lines[2].starts_with("20\t"));
    let svg = std::fs::read_to_string(&out_path).unwrap();
    assert!(svg.contains("True beta") && svg.contains("Estimated beta"));
    std::fs::remove_file(&out_path).unwrap();
}

#[test]
fn bad_options_are_one_line_errors_with_exit_code_2() {
    let jpg = temp("p.jpg");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--steps".into(), "-1".into()],
            "invalid value '-1' for '--steps <N>'",
        ),
        (
            vec!["--batch-size".into(), "0".into()],
            "invalid value '0' for '--batch-size': must be positive",
        ),
        (
            vec!["--num-points".into(), "0".into()],
            "invalid value '0' for '--num-points'",
        ),
        (
            vec!["--num-features".into(), "0".into()],
            "invalid value '0' for '--num-features'",
        ),
        (
            vec!["--step-size".into(), "abc".into()],
            "invalid value 'abc' for '--step-size <S>'",
        ),
        (
            vec!["--out".into(), jpg.to_str().unwrap().into()],
            "the file must end in .png or .svg",
        ),
        (
            vec!["--out".into(), "/nonexistent-dir/x.png".into()],
            "cannot write in /nonexistent-dir",
        ),
        (
            vec!["--frobnicate".into()],
            "unexpected argument '--frobnicate'",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["demo".to_string()];
        all.extend(args.iter().cloned());
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let out = autobatch(&refs);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(want),
            "{args:?}: {err}"
        );
        assert!(out.stdout.is_empty(), "{args:?}: work started");
    }
    assert!(!jpg.exists());
}

#[test]
fn help_explains_every_option() {
    let out = autobatch(&["demo", "--help"]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for opt in [
        "--steps",
        "--batch-size",
        "--step-size",
        "--data-seed",
        "--num-points",
        "--num-features",
        "--prior-scale",
        "--key",
        "--print-every",
        "--out",
        "--json",
    ] {
        assert!(help.contains(opt), "{opt} missing from help");
    }
    assert!(autobatch(&["--help"]).status.success());
}

#[test]
fn other_options_reproduce_jax_too() {
    // Reference: scripts/make_vi_reference.py, run with JAX 0.10.2.
    let reference = common::load("vi_alt_config.json");
    let c = &reference["config"];
    let arg = |k: &str| c[k].to_string();
    let out_path = temp("alt.svg");
    let args = [
        "demo".to_string(),
        "--json".into(),
        "--steps".into(),
        arg("steps"),
        "--batch-size".into(),
        arg("batch_size"),
        "--step-size".into(),
        arg("step_size"),
        "--data-seed".into(),
        arg("data_seed"),
        "--num-points".into(),
        arg("num_points"),
        "--num-features".into(),
        arg("num_features"),
        "--prior-scale".into(),
        arg("prior_scale"),
        "--key".into(),
        arg("key"),
        "--out".into(),
        out_path.to_str().unwrap().into(),
    ];
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = autobatch(&refs);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let floats = |x: &serde_json::Value| -> Vec<f64> {
        x.as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    let (got, want) = (floats(&v["elbo"]), floats(&reference["elbo"]));
    assert_eq!(got.len(), want.len());
    for (i, (a, b)) in got.iter().zip(&want).enumerate() {
        assert!((a - b).abs() <= 5e-4, "step {i}: {a} vs {b}");
    }
    for key in ["beta_loc", "beta_log_scale"] {
        for (a, b) in floats(&v[key]).iter().zip(floats(&reference[key])) {
            assert!((a - b).abs() <= 2e-5, "{key}: {a} vs {b}");
        }
    }
    assert_eq!(floats(&v["true_beta"]), floats(&reference["true_beta"]));
    std::fs::remove_file(&out_path).unwrap();
}

#[test]
fn the_plot_files_decode_and_a_failed_run_leaves_none() {
    let png_path = temp("decode.png");
    let svg_path = temp("decode.svg");
    for path in [&png_path, &svg_path] {
        let out = autobatch(&[
            "demo",
            "--steps",
            "20",
            "--json",
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(out.status.success());
        assert!(path.exists());
    }
    // The PNG decodes, is at least 600x600 and is not blank.
    let decoder = png::Decoder::new(std::fs::File::open(&png_path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert!(
        info.width >= 600 && info.height >= 600,
        "{}x{}",
        info.width,
        info.height
    );
    let pixels = &buf[..info.buffer_size()];
    let channels = info.line_size / info.width as usize;
    let distinct: std::collections::HashSet<&[u8]> = pixels.chunks(channels).collect();
    assert!(distinct.len() > 10, "only {} colours", distinct.len());
    let non_white = pixels
        .chunks(channels)
        .filter(|p| p.iter().take(3).any(|&c| c < 200))
        .count();
    assert!(non_white > 2000, "{non_white} non-white pixels");
    // The SVG parses as XML, with the labels as text.
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.iter().any(|t| t.contains("True beta")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("Estimated beta")));
    std::fs::remove_file(&png_path).unwrap();
    std::fs::remove_file(&svg_path).unwrap();
    // A failed run leaves no file.
    let failed = temp("failed.png");
    let out = autobatch(&["demo", "--steps", "x", "--out", failed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!failed.exists());
    let dir_files = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .contains(&format!("autobatch-cli-{}-failed", std::process::id()))
        })
        .count();
    assert_eq!(dir_files, 0);
}

#[test]
fn bench_reports_its_run_size_and_rejects_bad_ones() {
    let out = autobatch(&[
        "bench",
        "--steps",
        "3",
        "--num-points",
        "50",
        "--num-features",
        "4",
        "--batch-size",
        "8",
        "--step-size",
        "1e-3",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(
        (
            v["steps"].as_u64(),
            v["num_points"].as_u64(),
            v["num_features"].as_u64()
        ),
        (Some(3), Some(50), Some(4))
    );
    assert_eq!(v["batch_size"].as_u64(), Some(8));
    // The three ways to run the loop: the notebook's, one jitted step, one jitted scan.
    for way in ["", "jitted_step_", "scan_"] {
        let per_step = &v[format!("{way}per_step_us")];
        assert!(per_step.as_f64().is_some_and(|t| t > 0.0), "{way}: {v}");
        let compile = &v[format!("{way}compile_s")];
        assert!(compile.as_f64().is_some_and(|t| t >= 0.0), "{way}: {v}");
    }
    let bad = autobatch(&["bench", "--num-features", "0"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("--num-features 0"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
