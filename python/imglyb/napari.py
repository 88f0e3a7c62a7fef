"""ImgLib2 images in napari, and napari layers in ImgLib2.

::

    import napari
    import imglyb.napari

    viewer = napari.Viewer()
    layer = imglyb.napari.add_image(viewer, img)     # any RandomAccessibleInterval, or a list (pyramid)
    img2 = imglyb.napari.to_imglib(viewer.layers[0]) # a layer's data, shared with ImgLib2

:func:`add_image` shows native images as views of their memory and cell or lazily loaded images
lazily (napari reads only what it draws); a list of images at decreasing resolution becomes one
multiscale layer; an ``ImgPlus`` (imagej-common) or an ``xarray.DataArray`` gives axis names and
scale. Java's writes into a shared image show after ``layer.refresh()``. :func:`to_imglib` hands
a layer's NumPy, dask or zarr data to ImgLib2 with no copy where it is in memory. See
``docs/napari.md``. napari itself is imported by napari's users, not by this module.
"""

from __future__ import annotations

from ._napari import add_image, add_labels, contrast_limits, layer_data, layer_kwargs, to_imglib

__all__ = ["add_image", "add_labels", "contrast_limits", "layer_data", "layer_kwargs", "to_imglib"]
