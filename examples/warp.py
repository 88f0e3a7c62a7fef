"""Landmark warp: a NumPy image resampled in Java through an affine fitted to landmark pairs.

Pairs of landmarks (a point in the moving image and the same point in the fixed image) are
related by an affine transform plus some noise.

- **With BigWarp on the classpath** (``imglyb.bigwarp.available()``; BigWarp is not on Maven
  Central, see docs/examples.md), BigWarp solves a thin plate spline through the landmarks and
  the moving image is warped with it (``imglyb.bigwarp``); with a display, BigWarp's windows open
  on the moving image and the fixed one (made here with the true affine) with the landmarks set.
- **Without it**, the example does BigWarp's job in small: NumPy fits the affine by least
  squares, and Java (``org.imglyb.examples.Warp``) maps every pixel of the output back through
  the inverse transform and samples the moving image there, with ImgLib2's linear interpolation
  and zeros outside.

Either way the output is a NumPy array that Java writes into directly: no pixel is copied
between NumPy and Java.

Run it with a display (two windows open, the moving image and the warped one; close them to
end)::

    .venv/bin/python examples/warp.py

or without one, writing the two side by side as ImageJ draws them (``warp.png``) and the
arrays (``warp.npz``) to ``target/examples``, or to the folder given with ``--out``::

    .venv/bin/python examples/warp.py --headless [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

import numpy as np

import imglyb

ROOT = pathlib.Path(__file__).resolve().parents[1]

# The affine that relates the landmarks, moving (x, y) -> fixed (x', y'), as a 2x3 matrix:
# x' = 0.95 x - 0.20 y + 14,  y' = 0.22 x + 0.90 y - 8 (a turn of about 13 degrees, a slight
# shrink and shear, and a shift). x is the column (ImgLib2 dimension 0), y the row.
TRUE_AFFINE = np.array([[0.95, -0.20, 14.0], [0.22, 0.90, -8.0]])

# Landmarks in the moving image, (x, y).
MOVING_LANDMARKS = np.array(
    [[10, 8], [118, 10], [64, 48], [20, 85], [110, 88], [40, 30], [90, 60], [70, 15]],
    dtype=np.float64,
)

LANDMARK_NOISE = 0.25  # standard deviation of the click error, in pixels


def make_image(shape: tuple[int, int] = (96, 128)) -> np.ndarray:
    """A float32 test image: a 16-pixel checkerboard (0.25 and 0.5) with a bright disc (1.0)."""
    y, x = np.indices(shape)
    image = np.where((x // 16 + y // 16) % 2 == 0, 0.25, 0.5)
    image[(x - 84) ** 2 + (y - 40) ** 2 <= 18**2] = 1.0
    return image.astype(np.float32)


def landmark_pairs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Moving and fixed landmarks, (n, 2) each: fixed = TRUE_AFFINE(moving) plus noise."""
    rng = np.random.default_rng(seed)
    fixed = MOVING_LANDMARKS @ TRUE_AFFINE[:, :2].T + TRUE_AFFINE[:, 2]
    return MOVING_LANDMARKS.copy(), fixed + rng.normal(0.0, LANDMARK_NOISE, fixed.shape)


def fit_affine(moving: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """The 2x3 affine mapping ``moving`` to ``fixed`` points ((n, 2) each) best in least squares."""
    design = np.column_stack([moving, np.ones(len(moving))])  # rows (x, y, 1)
    solution, *_ = np.linalg.lstsq(design, fixed, rcond=None)  # design @ solution ~ fixed
    return solution.T


def warp(image: np.ndarray, affine: np.ndarray) -> np.ndarray:
    """``image`` (2-D) resampled into the fixed space of ``affine`` (moving -> fixed, 2x3).

    Java computes each output pixel: its position goes through the inverse affine into the moving
    image, which is sampled there with linear interpolation (pixel centres at integer
    coordinates), and zero outside it. The output has ``image``'s shape and dtype.
    """
    Views = imglyb.jimport("net.imglib2.view.Views")
    NLinearInterpolatorFactory = imglyb.jimport(
        "net.imglib2.interpolation.randomaccess.NLinearInterpolatorFactory"
    )
    Affine2D = imglyb.jimport("org.imglyb.examples.Affine2D")
    Warp = imglyb.jimport("org.imglyb.examples.Warp")

    source = Views.interpolate(Views.extendZero(imglyb.to_imglib(image)), NLinearInterpolatorFactory())
    out = np.zeros_like(image)
    # The fitted matrix goes to Java as a double[] (a copy of six numbers); the pixels do not.
    Warp.warp(source, Affine2D(np.ascontiguousarray(affine, np.float64).ravel()).inverse(),
              imglyb.to_imglib(out))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--headless", action="store_true",
                        help="write warp.png and warp.npz instead of opening windows")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "target" / "examples",
                        help="folder for --headless (default: target/examples)")
    args = parser.parse_args(argv)

    image = make_image()
    moving, fixed = landmark_pairs()
    affine = fit_affine(moving, fixed)
    residual = fixed - (moving @ affine[:, :2].T + affine[:, 2])
    print(f"fitted affine (moving -> fixed) from {len(moving)} landmark pairs:")
    print(np.array2string(affine, precision=4, suppress_small=True))
    print(f"landmark residual (RMS) {np.sqrt((residual**2).sum(axis=1).mean()):.3f} px, "
          f"largest difference to the true affine {np.abs(affine - TRUE_AFFINE).max():.3f}")

    bigwarp = imglyb.bigwarp.available()
    if bigwarp:
        # BigWarp takes landmarks in NumPy order, (row, column): the reverse of (x, y) here.
        out = imglyb.bigwarp.warp(image, image.shape, moving[:, ::-1], fixed[:, ::-1], "tps")
        print(f"warped {image.shape} {image.dtype} with BigWarp's thin plate spline; "
              f"output range {out.min():.3f} .. {out.max():.3f}")
    else:
        out = warp(image, affine)
        print(f"warped {image.shape} {image.dtype} in Java (BigWarp is not on the classpath: "
              f"the fitted affine); output range {out.min():.3f} .. {out.max():.3f}")

    if args.headless:
        args.out.mkdir(parents=True, exist_ok=True)
        png = args.out / "warp.png"
        # The stacked copy is only for the picture: moving on the left, warped on the right.
        imglyb.viewer.render(np.hstack([image, out]), "moving | warped").save_png(png)
        if os.environ.get("DISPLAY"):  # under Xvfb: a real window, captured for the docs
            shown = imglyb.show(np.hstack([image, out]), "moving | warped")
            shown.capture_png(args.out / "warp-window.png")
            shown.close()
            if bigwarp:
                windows = imglyb.bigwarp.show(image, warp(image, TRUE_AFFINE), moving[:, ::-1], fixed[:, ::-1])
                windows.capture_png(args.out / "warp-bigwarp.png", min_width=720, settle_seconds=6)
                windows.close()
        npz = args.out / "warp.npz"
        np.savez(npz, image=image, out=out, affine=affine, moving=moving, fixed=fixed)
        print(f"wrote {png} and {npz}")
        return 0
    if bigwarp:
        # BigWarp's own windows: the moving image, and the fixed one (made with the true affine)
        # with the moving image warped over it; move a landmark and the warp follows.
        imglyb.bigwarp.show(image, warp(image, TRUE_AFFINE), moving[:, ::-1], fixed[:, ::-1])
        input("BigWarp is open; press Enter here to end. ")
        return 0
    imglyb.show(image, "moving")
    imglyb.show(out, "warped into the fixed space")
    imglyb.wait_for_windows()
    return 0


if __name__ == "__main__":
    sys.exit(main())
