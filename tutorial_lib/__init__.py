"""tutorial_lib: the tested reference library of the book.

One module per concept; the notebooks call it and the book explains it.
The version below is the one place the release number is written: the
package metadata, the book's status page and every notebook's setup cell
read it from here.
"""

__version__ = "0.1.0"
