//! The notebook's figure: estimated against true coefficients, with 2-sigma error bars.
//!
//! Drawn with `plotters` and a bundled DejaVu Sans font (`assets/DejaVuSans.ttf`, so no
//! system font is needed), as PNG (800x800 pixels) or SVG (text kept as text). The file
//! is written under a temporary name in the same directory and renamed into place, so a
//! failed write leaves no partial file.

use crate::array::Array;
use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// DejaVu Sans, free to redistribute (license in `assets/DejaVuSans-LICENSE.txt`).
static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
/// Width and height of the PNG in pixels (and of the SVG's view box).
const SIZE: (u32, u32) = (800, 800);
/// The notebook draws the diagonal from -3 to 3; the axes grow if the data fall outside.
const PLOT_SCALE: f64 = 3.0;
const BLUE_POINTS: RGBColor = RGBColor(31, 119, 180);
const RED_BARS: RGBColor = RGBColor(214, 39, 40);

fn plot_error(message: impl Into<String>) -> Error {
    Error::new("plot", message, None)
}

/// The output format, from the file's extension.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Format {
    Png,
    Svg,
}

fn format_of(path: &Path) -> Result<Format> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase());
    match ext.as_deref() {
        Some("png") => Ok(Format::Png),
        Some("svg") => Ok(Format::Svg),
        other => {
            let got = other.map_or_else(|| "no extension".to_string(), |e| format!("`.{e}`"));
            Err(plot_error(format!(
                "cannot write {}: {got} is not a supported format; use `.png` or `.svg`",
                path.display()
            )))
        }
    }
}

/// Registers the bundled font as plotters' "sans-serif" once per process.
fn register_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(plot_error(
            "the bundled font assets/DejaVuSans.ttf is not a valid font",
        ))
    }
}

/// Plots the notebook's "Display the results" figure to `path`.
///
/// x is the true coefficient, y the estimate: posterior means (`beta_loc`) as points, and
/// `beta_loc ± 2 * beta_scale` as vertical error bars, with the diagonal y = x from -3 to
/// 3 (longer if the data fall outside), the axis labels "True beta" and "Estimated beta",
/// and a legend. The extension decides the format: `.png` (800x800 pixels) or `.svg`
/// (text kept as text).
///
/// The file is written under a temporary name in the same directory and renamed into
/// place. Errors (op `"plot"`), never panics: another extension (checked before anything
/// is drawn), arrays of different lengths, an array that is itself an error, or a path
/// that cannot be written (nothing is left behind).
///
/// ```
/// use autobatch::{Array, plot::posterior_vs_truth};
/// let truth = Array::from_vec(vec![-1.0f32, 0.5, 2.0], &[3]);
/// let loc = Array::from_vec(vec![-0.9f32, 0.4, 1.8], &[3]);
/// let scale = Array::from_vec(vec![0.2f32, 0.3, 0.25], &[3]);
/// let path = std::env::temp_dir().join(format!("posterior-doc-{}.svg", std::process::id()));
/// posterior_vs_truth(&truth, &loc, &scale, &path)?;
/// assert!(std::fs::read_to_string(&path).unwrap().contains("True beta"));
/// std::fs::remove_file(&path).unwrap();
///
/// let err = posterior_vs_truth(&truth, &loc, &scale, "figure.jpg").unwrap_err();
/// assert!(err.message().contains("`.jpg`"));
/// # Ok::<(), autobatch::Error>(())
/// ```
pub fn posterior_vs_truth(
    true_beta: &Array,
    beta_loc: &Array,
    beta_scale: &Array,
    path: impl AsRef<Path>,
) -> Result<()> {
    let path = path.as_ref();
    let format = format_of(path)?;
    let truth = true_beta.to_vec::<f64>()?;
    let loc = beta_loc.to_vec::<f64>()?;
    let scale = beta_scale.to_vec::<f64>()?;
    if truth.len() != loc.len() || loc.len() != scale.len() {
        return Err(plot_error(format!(
            "true_beta, beta_loc and beta_scale need one value per coefficient, \
             got lengths {}, {} and {}",
            truth.len(),
            loc.len(),
            scale.len()
        )));
    }
    register_font()?;

    let cannot_write =
        |why: &dyn std::fmt::Display| plot_error(format!("cannot write {}: {why}", path.display()));
    let file_name = path
        .file_name()
        .ok_or_else(|| cannot_write(&"no file name"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(cannot_write(&format!(
            "the directory {} does not exist",
            dir.display()
        )));
    }
    // A name unique within the process (pid + counter) that keeps the extension, which
    // the PNG encoder reads to pick the format.
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let tmp: PathBuf = dir.join(format!(
        ".{}.{}-{}.tmp.{}",
        file_name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        if format == Format::Png { "png" } else { "svg" },
    ));

    // Each backend is dropped at the end of its arm, before the rename or the clean-up.
    let written = match format {
        Format::Png => {
            let root = BitMapBackend::new(&tmp, SIZE).into_drawing_area();
            draw(&root, &truth, &loc, &scale)
                .and_then(|()| root.present().map_err(|e| cannot_write(&e)))
        }
        Format::Svg => {
            let root = SVGBackend::new(&tmp, SIZE).into_drawing_area();
            draw(&root, &truth, &loc, &scale)
                .and_then(|()| root.present().map_err(|e| cannot_write(&e)))
        }
    };
    let finished = written.and_then(|()| std::fs::rename(&tmp, path).map_err(|e| cannot_write(&e)));
    if finished.is_err() {
        // The temporary file may not exist (the write itself failed); nothing to report.
        let _ = std::fs::remove_file(&tmp);
    }
    finished
}

/// Draws the figure on `root` (without presenting it).
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    truth: &[f64],
    loc: &[f64],
    scale: &[f64],
) -> Result<()> {
    let fail = |e: &dyn std::fmt::Display| plot_error(format!("cannot draw the plot: {e}"));
    // (x, mean, lower, upper) per coefficient; non-finite values are not drawn.
    let rows: Vec<(f64, f64, f64, f64)> = truth
        .iter()
        .zip(loc.iter().zip(scale))
        .map(|(&x, (&m, &s))| (x, m, m - 2.0 * s, m + 2.0 * s))
        .collect();
    let (lo, hi) = rows
        .iter()
        .flat_map(|&(x, m, a, b)| [x, m, a, b])
        .filter(|v| v.is_finite())
        .fold((-PLOT_SCALE, PLOT_SCALE), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let pad = 0.05 * (hi - lo);
    let (lo, hi) = (lo - pad, hi + pad);

    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let mut chart = ChartBuilder::on(root)
        .margin(24)
        .x_label_area_size(64)
        .y_label_area_size(72)
        .build_cartesian_2d(lo..hi, lo..hi)
        .map_err(|e| fail(&e))?;
    chart
        .configure_mesh()
        .x_desc("True beta")
        .y_desc("Estimated beta")
        .label_style(("sans-serif", 18))
        .axis_desc_style(("sans-serif", 22))
        .bold_line_style(BLACK.mix(0.08))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(|e| fail(&e))?;

    chart
        .draw_series(LineSeries::new([(lo, lo), (hi, hi)], BLACK.stroke_width(2)))
        .map_err(|e| fail(&e))?;

    let cap = 0.01 * (hi - lo);
    let bars = rows
        .iter()
        .filter(|&&(x, _, a, b)| x.is_finite() && a.is_finite() && b.is_finite())
        .map(|&(x, _, a, b)| {
            let caps = [
                (x - cap, a),
                (x + cap, a),
                (x, a),
                (x, b),
                (x - cap, b),
                (x + cap, b),
            ];
            PathElement::new(caps, RED_BARS.stroke_width(2))
        });
    chart
        .draw_series(bars)
        .map_err(|e| fail(&e))?
        .label("Approximated Posterior 2σ Error Bars")
        .legend(|(x, y)| {
            let (a, b) = (y - 8, y + 8);
            let bar = [
                (x + 5, a),
                (x + 15, a),
                (x + 10, a),
                (x + 10, b),
                (x + 5, b),
                (x + 15, b),
            ];
            PathElement::new(bar, RED_BARS.stroke_width(2))
        });

    let means = rows
        .iter()
        .filter(|&&(x, m, _, _)| x.is_finite() && m.is_finite())
        .map(|&(x, m, _, _)| Circle::new((x, m), 5, BLUE_POINTS.filled()));
    chart
        .draw_series(means)
        .map_err(|e| fail(&e))?
        .label("Approximated Posterior Means")
        .legend(|(x, y)| Circle::new((x + 10, y), 5, BLUE_POINTS.filled()));

    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .margin(12)
        .label_font(("sans-serif", 18))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.5))
        .draw()
        .map_err(|e| fail(&e))?;
    Ok(())
}
