//! The notebook's posterior-vs-truth figure: formats, contents and error cases.

use autobatch::Array;
use autobatch::plot::posterior_vs_truth;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "autobatch-plot-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The contents of the SVG's `<text>` elements, trimmed.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

/// Ten coefficients like the notebook's: means near the truth, scales around 0.2.
fn data() -> (Array, Array, Array) {
    let truth: Vec<f32> = (0..10).map(|i| -2.5 + 0.55 * i as f32).collect();
    let loc: Vec<f32> = truth
        .iter()
        .enumerate()
        .map(|(i, t)| t + 0.15 * ((i as f32) * 1.7).sin())
        .collect();
    let scale: Vec<f32> = (0..10).map(|i| 0.15 + 0.02 * i as f32).collect();
    (
        Array::from_vec(truth, &[10]),
        Array::from_vec(loc, &[10]),
        Array::from_vec(scale, &[10]),
    )
}

#[test]
fn png_has_signature_and_size() {
    let dir = TempDir::new();
    let path = dir.0.join("posterior.png");
    let (t, m, s) = data();
    posterior_vs_truth(&t, &m, &s, &path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // The first chunk is IHDR: length (4), type (4), width (4, big-endian), height (4).
    assert_eq!(&bytes[12..16], b"IHDR");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (800, 800));
    // No temporary file is left beside it.
    assert_eq!(dir.files(), ["posterior.png"]);
}

#[test]
fn svg_keeps_labels_and_legend_as_text() {
    let dir = TempDir::new();
    let path = dir.0.join("posterior.SVG");
    let (t, m, s) = data();
    posterior_vs_truth(&t, &m, &s, &path).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
    let texts = svg_texts(&svg);
    for text in [
        "True beta",
        "Estimated beta",
        "Approximated Posterior Means",
        "Approximated Posterior 2σ Error Bars",
    ] {
        assert!(
            texts.iter().any(|t| t == text),
            "missing {text:?} in {texts:?}"
        );
    }
    assert_eq!(dir.files(), ["posterior.SVG"]);
}

#[test]
fn overwrites_an_existing_file() {
    let dir = TempDir::new();
    let path = dir.0.join("posterior.svg");
    std::fs::write(&path, "old").unwrap();
    let (t, m, s) = data();
    posterior_vs_truth(&t, &m, &s, &path).unwrap();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("True beta")
    );
}

#[test]
fn data_outside_three_extend_the_axes() {
    let dir = TempDir::new();
    let path = dir.0.join("wide.svg");
    let t = Array::from_vec(vec![-8.0f64, 0.0, 9.0], &[3]);
    let m = Array::from_vec(vec![-7.5f64, 0.1, 8.0], &[3]);
    let s = Array::from_vec(vec![0.5f64, 0.2, 1.0], &[3]);
    posterior_vs_truth(&t, &m, &s, &path).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    // Tick labels beyond the notebook's [-3, 3] range appear on both ends.
    let ticks: Vec<f64> = svg_texts(&svg)
        .iter()
        .filter_map(|t| t.parse().ok())
        .collect();
    assert!(ticks.iter().any(|&v| v <= -5.0), "{ticks:?}");
    assert!(ticks.iter().any(|&v| v >= 8.0), "{ticks:?}");
}

#[test]
fn non_finite_and_empty_inputs_do_not_panic() {
    let dir = TempDir::new();
    let t = Array::from_vec(vec![f32::NAN, 1.0, f32::INFINITY], &[3]);
    let m = Array::from_vec(vec![0.0f32, f32::NEG_INFINITY, 2.0], &[3]);
    let s = Array::from_vec(vec![0.1f32, 0.1, f32::NAN], &[3]);
    posterior_vs_truth(&t, &m, &s, dir.0.join("nan.png")).unwrap();
    let empty = Array::from_vec(Vec::<f32>::new(), &[0]);
    posterior_vs_truth(&empty, &empty, &empty, dir.0.join("empty.svg")).unwrap();
    assert_eq!(dir.files(), ["empty.svg", "nan.png"]);
}

#[test]
fn other_extension_is_an_error_and_writes_nothing() {
    let dir = TempDir::new();
    let (t, m, s) = data();
    let err = posterior_vs_truth(&t, &m, &s, dir.0.join("posterior.jpg")).unwrap_err();
    assert_eq!(err.op(), "plot");
    let msg = err.to_string();
    for part in ["posterior.jpg", "`.jpg`", "`.png`", "`.svg`"] {
        assert!(msg.contains(part), "{msg}");
    }
    let err = posterior_vs_truth(&t, &m, &s, dir.0.join("posterior")).unwrap_err();
    assert!(err.to_string().contains("no extension"), "{err}");
    assert!(dir.files().is_empty());
}

#[test]
fn unwritable_path_is_an_error_and_leaves_no_file() {
    let dir = TempDir::new();
    let (t, m, s) = data();
    let missing = dir.0.join("no-such-dir");
    for name in ["posterior.png", "posterior.svg"] {
        let path = missing.join(name);
        let err = posterior_vs_truth(&t, &m, &s, &path).unwrap_err();
        assert_eq!(err.op(), "plot");
        let msg = err.to_string();
        assert!(msg.contains("cannot write") && msg.contains(name), "{msg}");
        assert!(msg.contains("does not exist"), "{msg}");
        assert!(!path.exists());
    }
    // A directory where the file should go: the rename fails, the temp file is removed.
    std::fs::create_dir(dir.0.join("taken.png")).unwrap();
    let err = posterior_vs_truth(&t, &m, &s, dir.0.join("taken.png")).unwrap_err();
    assert!(err.to_string().contains("cannot write"), "{err}");
    assert_eq!(dir.files(), ["taken.png"]);
}

#[test]
fn mismatched_lengths_are_an_error() {
    let dir = TempDir::new();
    let (t, m, _) = data();
    let s = Array::from_vec(vec![0.1f32; 7], &[7]);
    let err = posterior_vs_truth(&t, &m, &s, dir.0.join("posterior.png")).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("10, 10 and 7"), "{msg}");
    assert!(dir.files().is_empty());
}

#[test]
fn error_arrays_propagate() {
    let dir = TempDir::new();
    let (t, m, s) = data();
    let bad = &t * &Array::zeros(&[3]);
    let err = posterior_vs_truth(&bad, &m, &s, dir.0.join("posterior.png")).unwrap_err();
    assert_eq!(err.op(), "mul");
    assert!(dir.files().is_empty());
}
