"""Generate the SVG figures used by the machine-learning interview cards.

Development-only tool: the deck itself only ships the generated SVG files in
``media/``; this script is needed only to (re)create them.  It requires
matplotlib, numpy and scikit-learn.  Rerun it from the repository root with

    python tools/make_figures.py            # writes into media/
    python tools/make_figures.py --out DIR  # writes somewhere else

The output is reproducible byte for byte: fixed random seeds, the Agg
backend, a constant ``svg.hashsalt`` and no date/creator metadata.  Text is
kept as SVG text (``svg.fonttype = "none"``) in a sans-serif font.

The figures have a transparent background, because Anki shows them on a
white card by day and a dark one (about #1e1e1e) in night mode. Every line
and label therefore uses a mid-tone colour with enough contrast on both: a
mid grey for axes, outlines and text, and saturated mid-tone hues for data.
Never draw black, white or pale fills on the page itself (white text inside
a saturated box is fine: the box stays the same in both modes).
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.patches import Rectangle, Wedge  # noqa: E402
from sklearn.metrics import auc, roc_curve  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

# Mid-tone colours: contrast of at least 3.3:1 against both white and
# #1e1e1e (WCAG's 3:1 for graphics and large text), so the transparent
# figures read in Anki's day and night modes alike.
FG = "#888888"  # axes, outlines, text: 3.5:1 on white, 4.7:1 on #1e1e1e
BLUE, ORANGE, GREEN = "#2F7FD8", "#D9730D", "#1F9D55"
RED, PURPLE = "#E0453A", "#A05CC8"
SIZE = (4.5, 3.2)  # inches

plt.rcParams.update({
    "svg.fonttype": "none", "svg.hashsalt": "ml-anki-figures",
    "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"],
    "mathtext.fontset": "dejavusans", "font.size": 12,
    "axes.labelsize": 12, "xtick.labelsize": 11, "ytick.labelsize": 11,
    "legend.fontsize": 11, "lines.linewidth": 2.5, "axes.linewidth": 1.5,
    "figure.facecolor": "none", "axes.facecolor": "none",
    "savefig.facecolor": "none", "savefig.transparent": True,
    "text.color": FG, "axes.edgecolor": FG, "axes.labelcolor": FG,
    "xtick.color": FG, "ytick.color": FG,
    "axes.spines.top": False, "axes.spines.right": False,
})


def new_figure(**kwargs):
    return plt.subplots(figsize=SIZE, layout="constrained", **kwargs)


def svm_margin():
    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal((-1.3, -1.0), 0.55, (20, 2)),
                   rng.normal((1.3, 1.0), 0.55, (20, 2))])
    y = np.repeat([0, 1], 20)
    clf = SVC(kernel="linear", C=1e6).fit(X, y)
    w, b = clf.coef_[0], clf.intercept_[0]
    assert (clf.predict(X) == y).all(), "classes must be separable"
    sv_margin = np.abs(clf.decision_function(clf.support_vectors_))
    assert np.allclose(sv_margin, 1, atol=1e-3), "SVs must lie on margins"
    fig, ax = new_figure()
    for cls, colour, marker in ((0, BLUE, "o"), (1, ORANGE, "s")):
        ax.scatter(*X[y == cls].T, c=colour, marker=marker, s=36, zorder=3)
    ax.scatter(*clf.support_vectors_.T, s=190, facecolors="none",
               edgecolors=FG, linewidths=2, zorder=4,
               label="support vectors")
    xs = np.array([-3.5, 3.5])
    for level, style in ((0, "-"), (-1, "--"), (1, "--")):
        # w . x + b = level  ->  x2 = (level - b - w1 x1) / w2
        ax.plot(xs, (level - b - w[0] * xs) / w[1], style, c=FG,
                lw=2.5 if level == 0 else 2)
    # the margin arrow crosses the band low down, where its label can sit
    # right of the band on empty canvas (no box is drawn behind any text)
    x2 = -1.35
    p0 = np.array([(-b - w[1] * x2) / w[0], x2])  # on the hyperplane
    half = w / (w @ w)  # from the hyperplane to a margin line
    ax.annotate("", p0 + half, p0 - half, arrowprops=dict(
        arrowstyle="<|-|>", color=PURPLE, lw=2, shrinkA=0, shrinkB=0))
    ax.text(*(p0 + half + [0.12, -0.05]), r"$2/\Vert w\Vert$",
            color=PURPLE, fontsize=14, ha="left", va="center")
    ax.set(xlim=(-3.2, 3.2), ylim=(-2.6, 2.6), xlabel="$x_1$", ylabel="$x_2$",
           xticks=[], yticks=[], aspect="equal")
    ax.legend(loc="lower left", frameon=False, handletextpad=0.2)
    return fig


def pca_projection():
    rng = np.random.default_rng(1)
    X = rng.multivariate_normal([0, 0], [[3.0, 1.6], [1.6, 1.4]], 200)
    X -= X.mean(axis=0)
    _, s, vt = np.linalg.svd(X, full_matrices=False)
    vt *= np.sign(vt[:, :1])  # make both components point to the right
    std = s / np.sqrt(len(X) - 1)  # sqrt of explained variance
    fig, ax = new_figure()
    ax.scatter(*X.T, s=14, c=BLUE, alpha=0.8, lw=0, zorder=1)
    ax.axline((0, 0), vt[0], c=FG, alpha=0.6, lw=2, zorder=0)
    scores = X @ vt.T
    shown = []  # per stretch of PC1, the visible point farthest from PC1
    for t in (-3.6, -2.4, -1.2, 1.2, 2.4, 3.6):
        near = (abs(scores[:, 0] - t) < 0.5) & (abs(X) < [4.5, 3]).all(1)
        shown.append(np.argmax(np.where(near, abs(scores[:, 1]), -1)))
    for i in shown:
        p = scores[i, 0] * vt[0]  # orthogonal projection onto PC1
        ax.plot(*np.c_[X[i], p], "-", c=FG, lw=2, zorder=2)
        ax.plot(*X[i], "o", mfc=BLUE, mec=FG, mew=1.5, ms=6, zorder=2)
        ax.plot(*p, "o", c=FG, ms=5, zorder=2)
    for v, sd, colour, name in zip(vt, std, (RED, GREEN), ("PC1", "PC2")):
        tip = 2 * sd * v
        ax.annotate("", tip, (0, 0), arrowprops=dict(
            arrowstyle="-|>,head_width=0.4,head_length=0.8", color=colour,
            lw=3, shrinkA=0, shrinkB=0), zorder=3)
        ax.text(*(tip * 1.12), name, color=colour, fontsize=13,
                fontweight="bold", ha="center", va="center", zorder=4)
    ax.set(aspect="equal", xticks=[], yticks=[], xlabel="$x_1$",
           ylabel="$x_2$", xlim=(-5.2, 5.2), ylim=(-3.6, 3.6))
    return fig


def precision_recall():
    fig, ax = new_figure()
    ax.axis("off")
    W, H, c, r = 3.2, 2.6, (1.6, 1.3), 0.95
    regions = [Rectangle((0, 0), W / 2, H, fc=to_rgba(GREEN, 0.2),
                         ec="none"),
               Rectangle((W / 2, 0), W / 2, H, fc=to_rgba(FG, 0.2),
                         ec="none"),
               Wedge(c, r, 90, 270, fc=GREEN, ec="none"),
               Wedge(c, r, -90, 90, fc=ORANGE, ec="none"),
               Rectangle((0, 0), W, H, fc="none", ec=FG, lw=2),
               plt.Circle(c, r, fc="none", ec=FG, lw=2.5)]
    for patch in regions:
        ax.add_patch(patch)
    for x, y, label, colour in ((1.15, 1.3, "TP", "white"),
                                (2.05, 1.3, "FP", "white"),
                                (0.3, 0.22, "FN", FG), (2.9, 0.22, "TN", FG)):
        ax.text(x, y, label, ha="center", va="center", fontsize=14,
                fontweight="bold", color=colour)
    ax.text(W / 4, H + 0.08, "relevant", ha="center", va="bottom")
    ax.text(3 * W / 4, H + 0.08, "not relevant", ha="center", va="bottom")
    ax.text(c[0], c[1] - r - 0.08, "retrieved", ha="center", va="top")
    frac = r"$\dfrac{\mathrm{TP}}{\mathrm{TP}+\mathrm{%s}}$"
    for y, name, wrong in ((1.85, "precision", "FP"), (0.75, "recall", "FN")):
        ax.text(W + 0.2, y, f"{name} =\n" + frac % wrong, va="center",
                fontsize=13)
    ax.set(xlim=(-0.05, W + 1.45), ylim=(-0.05, H + 0.4), aspect="equal")
    return fig


def kfold_cv():
    k = 5
    fig, ax = new_figure()
    ax.axis("off")
    for i in range(k):
        y = k - 1 - i
        for j in range(k):
            val = i == j
            ax.add_patch(Rectangle((j, y + 0.1), 0.94, 0.8, lw=0,
                                   fc=ORANGE if val else BLUE))
            ax.text(j + 0.47, y + 0.5, "val" if val else "train",
                    ha="center", va="center", fontsize=11,
                    color="white")
        ax.text(-0.12, y + 0.5, f"split {i + 1}", ha="right", va="center")
    ax.add_patch(Rectangle((k + 0.3, 0.1), 1.0, k - 0.2, fc=FG, lw=0))
    ax.text(k + 0.8, k / 2, "test (held out)", rotation=90, ha="center",
            va="center", fontsize=12, color="white")
    ax.text(k / 2, k + 0.15, f"{k}-fold cross-validation on the training data",
            ha="center", va="bottom", fontsize=12)
    ax.set(xlim=(-1.3, k + 1.35), ylim=(0, k + 0.7))
    return fig


def confusion_matrix():
    fig, ax = new_figure()
    cells = [("TN", "true negative", "", GREEN),  # row 0: actual negative
             ("FP", "false positive", "(type I error)", RED),
             ("FN", "false negative", "(type II error)", RED),
             ("TP", "true positive", "", GREEN)]  # row 1: actual positive
    for n, (short, name, extra, colour) in enumerate(cells):
        row, col = divmod(n, 2)
        ax.add_patch(Rectangle((col, row), 1, 1, fc=to_rgba(colour, 0.25),
                               ec=FG, lw=2))
        ax.text(col + 0.5, row + 0.38, short, ha="center", va="center",
                fontsize=18, fontweight="bold", color=colour)
        ax.text(col + 0.5, row + 0.62, name + ("\n" + extra if extra else ""),
                ha="center", va="top", fontsize=11, linespacing=1.3)
    ticks = [0.5, 1.5]
    ax.set(xlim=(0, 2), ylim=(2, 0), aspect="equal", xticks=ticks,
           yticks=ticks, xticklabels=["negative", "positive"],
           yticklabels=["negative", "positive"],
           xlabel="Predicted class", ylabel="Actual class")
    ax.tick_params(length=0, labelsize=12)
    for side in ax.spines.values():
        side.set_visible(False)
    return fig


def roc():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    scores = rng.normal(1.4 * y, 1.0)
    fpr, tpr, _ = roc_curve(y, scores)
    fig, ax = new_figure()
    ax.fill_between(fpr, tpr, color=BLUE, alpha=0.15, lw=0)  # the AUC
    ax.plot(fpr, tpr, c=BLUE,
            label=f"classifier\nAUC = {auc(fpr, tpr):.2f}")
    ax.plot([0, 1], [0, 1], "--", c=FG, lw=2, label="chance\nAUC = 0.50")
    ax.set(xlim=(0, 1), ylim=(0, 1.0), aspect="equal",
           xlabel="False positive rate", ylabel="True positive rate",
           xticks=[0, 0.5, 1], yticks=[0, 0.5, 1])
    ax.legend(loc="center left", frameon=False, bbox_to_anchor=(1.02, 0.5),
              labelspacing=1.2, handlelength=1.6)
    # fixed square axes: constrained layout and aspect="equal" disagree here
    fig.set_layout_engine("none")
    ax.set_position([0.75 / 4.5, 0.62 / 3.2, 2.3 / 4.5, 2.3 / 3.2])
    return fig


def bias_variance():
    x = np.linspace(0, 1, 400)
    bias2 = 1.6 * np.exp(-4.5 * x)
    variance = 0.08 * np.exp(3.6 * x)
    noise = np.full_like(x, 0.25)
    total = bias2 + variance + noise
    best = np.argmin(total)
    fig, ax = new_figure()
    curves = ((total, "-", PURPLE, "total error", (0.07, 1.85, "left")),
              (bias2, "-", BLUE, "bias$^2$", (0.03, 0.5, "left")),
              (variance, "-", ORANGE, "variance", (0.98, 1.15, "right")),
              (noise, ":", FG, "irreducible noise", (0.98, 0.3, "right")))
    for values, style, colour, label, (tx, ty, ha) in curves:
        ax.plot(x, values, style, c=colour)
        ax.text(tx, ty, label, color=colour, ha=ha, va="bottom")
    ax.axvline(x[best], c=GREEN, ls="--", lw=2)
    ax.plot(x[best], total[best], "o", c=GREEN, ms=8)
    ax.text(x[best] + 0.02, 2.05, "optimum", color=GREEN, va="bottom")
    ax.set(xlim=(0, 1), ylim=(0, 2.3), xticks=[], yticks=[],
           xlabel="model complexity", ylabel="error")
    return fig


def sigmoid():
    z = np.linspace(-8, 8, 400)
    fig, ax = new_figure()
    ax.axhline(0.5, c=FG, ls="--", lw=2)
    ax.axvline(0, c=FG, ls="--", lw=2)
    for level in (0, 1):
        ax.axhline(level, c=FG, ls=":", lw=2)
    ax.plot(z, 1 / (1 + np.exp(-z)), c=BLUE)
    ax.plot(0, 0.5, "o", c=RED, ms=8, zorder=3)
    ax.annotate(r"$\sigma(0) = 0.5$", (0, 0.5), (1.2, 0.32), color=RED)
    ax.text(-7.6, 0.88, r"$\sigma(z) = \dfrac{1}{1+e^{-z}}$", fontsize=14,
            va="center")
    ax.set(xlim=(-8, 8), ylim=(-0.05, 1.05), xticks=[-8, -4, 0, 4, 8],
           yticks=[0, 0.5, 1], xlabel="$z$", ylabel=r"$\sigma(z)$")
    return fig


def softmax():
    logits = np.array([2.0, 1.0, 0.1])
    probs = np.exp(logits) / np.exp(logits).sum()
    colours = [BLUE, ORANGE, GREEN]
    fig, (left, right) = new_figure(ncols=2)
    for ax, values, title, sym, fmt, ticks in (
            (left, logits, "logits $z$", "z", "{:.1f}", [0, 1, 2]),
            (right, probs, r"$p = \mathrm{softmax}(z)$", "p", "{:.2f}",
             [0, 0.5, 1])):
        bars = ax.bar([f"${sym}_{i}$" for i in (1, 2, 3)], values,
                      color=colours, width=0.7)
        ax.bar_label(bars, [fmt.format(v) for v in values], padding=2,
                     fontsize=11)
        ax.set(ylim=(0, ticks[-1] * 1.2), yticks=ticks)
        ax.set_title(title, fontsize=12)
    right.text(0.98, 0.9, "sum = 1", transform=right.transAxes, ha="right",
               va="top")
    return fig


FIGURES = {
    "svm-margin": svm_margin,
    "pca-projection": pca_projection,
    "precision-recall": precision_recall,
    "kfold-cv": kfold_cv,
    "confusion-matrix": confusion_matrix,
    "roc-curve": roc,
    "bias-variance": bias_variance,
    "sigmoid": sigmoid,
    "softmax": softmax,
}


def main():
    default = Path(__file__).resolve().parent.parent / "media"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default,
                        help=f"output directory (default: {default})")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, make in FIGURES.items():
        fig = make()
        path = args.out / f"{name}.svg"
        fig.savefig(path, format="svg",
                    metadata={"Date": None, "Creator": None})
        plt.close(fig)
        print(path)


if __name__ == "__main__":
    main()
