"""The notebooks are kept in git without outputs (they are executed by
`make notebooks`, not stored executed), and each is a lesson: it opens
with an explanation and cites its sources."""
import glob
import os
import unittest

import nbformat

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOTEBOOKS = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))


class TestNotebooks(unittest.TestCase):
    def test_all_five_lessons_exist(self):
        names = [os.path.basename(p) for p in NOTEBOOKS]
        for prefix in ("01_quickstart", "02_neurons_and_stdp", "03_place_cells_and_theta",
                       "04_sleep_replay", "05_synaptic_homeostasis"):
            self.assertIn(prefix + ".ipynb", names)

    def test_stripped_of_outputs(self):
        for path in NOTEBOOKS:
            nb = nbformat.read(path, as_version=4)
            for k, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    self.assertEqual(cell.outputs, [], "%s cell %d has outputs" % (path, k))
                    self.assertIsNone(cell.execution_count, "%s cell %d" % (path, k))

    def test_lessons_explain_and_cite(self):
        for path in NOTEBOOKS:
            nb = nbformat.read(path, as_version=4)
            self.assertEqual(nb.cells[0].cell_type, "markdown", path)
            text = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
            # an author-year reference such as "Lee & Wilson 2002" or "(Davidson et al. 2009)"
            self.assertRegex(text, r"[A-Z][a-z]+( et al\.| & [A-Z][a-z]+)?,? \(?(19|20)\d\d", path)
