"""hebbsleep.plots: what each plot draws, read back from the artists and
checked against the run's own arrays (a short track run of the default
experiment's network, scaled down) or synthetic arrays."""
import os
import tempfile
import unittest

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

import hebbsleep  # noqa: E402
from hebbsleep import plots  # noqa: E402

try:
    from hebbsleep import analysis  # noqa: F401  (decode_event and wake_fields use it)
    HAVE_ANALYSIS = True
except ImportError:
    HAVE_ANALYSIS = False

_PC = {"C_m": 180, "g_L": 4.315, "E_L": -75.19, "V_th": -50, "V_reset": -60, "t_ref": 5,
       "E_ex": 0, "E_in": -70, "tau_syn_ex": 5.4, "tau_syn_in": 3.3, "b_g": 0, "tau_a": 300,
       "E_a": -80}
# experiments/linear_track.yaml in small: 120 cells, 3 laps of a 1 m track
# between a short NREM and a 3 s NREM with strong downscaling (a few tenths
# of a second wall).
EXPERIMENT = {
    "simulation": {"dt_ms": 0.1, "seed": 2},
    "task": {"track": "linear", "length_cm": 100, "laps": 20, "speed_cm_s": 25,
             "speed_sd_cm_s": 3, "ramp_cm": 10, "pause_s": 1, "one_way": True},
    "populations": {
        "place": {"model": "place_cells", "size": 120,
                  "params": {"field_fraction": 0.5, "sigma_cm": 6, "peak_hz": 20,
                             "out_hz": 0.1, "theta_hz": 7, "precession_deg": 180,
                             "directional": 1}},
        "noise": {"model": "poisson", "size": 120, "params": {"rate": 0}},
        "pc": {"model": "lif_coba", "size": 120, "params": _PC},
    },
    "projections": {
        "mf": {"pre": "place", "post": "pc", "receptor": "ex", "weight": 25, "delay_ms": 0.1,
               "connect": {"rule": "one_to_one"}},
        "nz": {"pre": "noise", "post": "pc", "receptor": "ex", "weight": 7.5, "delay_ms": 0.1,
               "connect": {"rule": "one_to_one"}},
        "ee": {"pre": "pc", "post": "pc", "receptor": "ex", "weight": 0.1, "delay_ms": 2.2,
               "connect": {"rule": "fixed_probability", "p": 0.25, "autapses": False},
               "plasticity": {"rule": "stdp_pair",
                              "params": {"A_plus": 0.01, "A_minus": 0.01, "tau_plus": 20,
                                         "tau_minus": 20, "w_min": 0, "w_max": 20}},
               "homeostasis": [{"rule": "downscale", "params": {"rate_per_s": 0.02}}]},
    },
    "recording": {"spikes": ["pc"], "weights": {"ee": {}}},
    "schedule": [
        {"name": "pre", "stage": "nrem", "duration_ms": 1000,
         "gains": {"ee": {"stdp": 0, "downscale": 0}}, "set": {"noise": {"rate": 5}}},
        {"name": "run", "stage": "wake", "duration_ms": 12000,
         "gains": {"ee": {"transmission": 0.1, "downscale": 0}}},
        {"name": "sleep", "stage": "nrem", "duration_ms": 3000,
         "gains": {"ee": {"stdp": 0, "transmission": 1.6}}, "set": {"noise": {"rate": 15}}},
    ],
    "replay": {"population": "pc"},
}


def setUpModule():
    global RUN, TMP
    TMP = tempfile.TemporaryDirectory()
    RUN = hebbsleep.simulate(EXPERIMENT, threads=1, progress=False,
                             output=os.path.join(TMP.name, "small.h5"))


def tearDownModule():
    TMP.cleanup()


def _gaussian_maps(centres, edges, sigma=5.0, peak=10.0):
    x = 0.5 * (edges[1:] + edges[:-1])
    return peak * np.exp(-0.5 * ((x[None, :] - np.asarray(centres)[:, None]) / sigma) ** 2)


class PlotTest(unittest.TestCase):
    def tearDown(self):
        plt.close("all")


class TestRaster(PlotTest):
    def test_scatter_holds_exactly_the_spikes_in_the_window(self):
        a, z = 2500.0, 9000.0
        ax = plots.raster(RUN, ["pc"], a, z)
        xy = ax.collections[0].get_offsets()
        t, ids = RUN.spikes_in("pc", a, z)
        self.assertGreater(len(t), 100)
        # rows: cells sorted by their true field centre (place -> pc one to one)
        row = np.empty(120, int)
        row[plots.field_order(RUN.place_fields["place"]["center_cm"])] = np.arange(120)
        np.testing.assert_array_equal(xy[:, 0], t * 1e-3)
        np.testing.assert_array_equal(xy[:, 1], row[ids])
        s = RUN.spikes["pc"]
        outside = np.sum((s.times_ms < a) | (s.times_ms >= z))
        self.assertEqual(len(xy) + outside, len(s.times_ms))

    def test_field_order_puts_place_cells_first_by_centre(self):
        c = np.array([50.0, np.nan, 10.0, 30.0, np.nan])
        np.testing.assert_array_equal(plots.field_order(c), [2, 3, 0, 1, 4])

    def test_phase_bands_are_the_phases(self):
        ax = plots.raster(RUN, "pc")
        bands = [p for p in ax.patches if p.get_gid()]
        self.assertEqual([b.get_gid() for b in bands], [p.name for p in RUN.phases])
        for b, ph in zip(bands, RUN.phases):
            self.assertAlmostEqual(b.get_x(), ph.start_ms * 1e-3)
            self.assertAlmostEqual(b.get_x() + b.get_width(), ph.stop_ms * 1e-3)
            self.assertEqual(matplotlib.colors.to_hex(b.get_facecolor()),
                             plots.STAGE_COLORS[ph.stage])

    def test_bands_clipped_to_the_window(self):
        ax = plots.raster(RUN, "pc", 500.0, 2000.0, position=False)
        bands = [(b.get_gid(), b.get_x(), b.get_x() + b.get_width()) for b in ax.patches]
        self.assertEqual(bands, [("pre", 0.5, 1.0), ("run", 1.0, 2.0)])
        self.assertFalse(hasattr(ax, "position_ax"))

    def test_position_is_the_behaviour_on_a_twin_axis(self):
        ax = plots.raster(RUN, "pc")
        x, y = ax.position_ax.lines[0].get_data()
        b = RUN.behavior
        ok = ~np.isnan(x)
        np.testing.assert_array_equal(x[ok], b.time_ms * 1e-3)
        np.testing.assert_array_equal(y[ok], b.position_cm)
        self.assertEqual(ax.position_ax.get_ylabel(), "position (cm)")


class TestPlaceFields(PlotTest):
    def test_synthetic_maps_sorted_by_peak_and_weak_cells_left_out(self):
        edges = np.linspace(0, 100, 41)
        centres = np.array([70.0, 10.0, 90.0, 40.0, 55.0])
        maps = _gaussian_maps(centres, edges)
        maps[3] *= 0.05                            # peaks at 0.5 Hz: not a place cell
        ax = plots.place_fields(maps, bin_edges_cm=edges, normalize=False)
        img = np.asarray(ax.images[0].get_array())
        np.testing.assert_array_equal(img, maps[[1, 4, 0, 2]])
        self.assertEqual(tuple(ax.images[0].get_extent()), (0.0, 100.0, 4, 0))

    def test_true_fields_rows_follow_the_given_centres(self):
        ax = plots.place_fields(RUN, "pc", source="true")
        img = np.asarray(ax.images[0].get_array())
        c = RUN.place_fields["place"]["center_cm"]
        self.assertEqual(img.shape[0], np.sum(~np.isnan(c)))
        # the peak bin of each row holds that row's centre, rows in order
        peak_cm = (np.argmax(img, axis=1) + 0.5) * 2.5
        np.testing.assert_allclose(peak_cm, np.sort(c[~np.isnan(c)]), atol=1.25)
        np.testing.assert_allclose(img.max(axis=1), 1.0)

    @unittest.skipUnless(HAVE_ANALYSIS, "hebbsleep.analysis absent")
    def test_fields_from_spikes_are_the_detectors_place_cells_in_order(self):
        f = plots.wake_fields(RUN, "pc")
        ax = plots.place_fields(RUN, "pc", normalize=False, fields=f)
        img = np.asarray(ax.images[0].get_array())
        self.assertEqual(img.shape[0], f.n_place)
        self.assertTrue(np.all(np.diff(np.argmax(img, axis=1)) >= 0))
        self.assertTrue(np.all(img.max(axis=1) >= 1.0))


class TestReplay(PlotTest):
    def test_posterior_image_and_line(self):
        te = 1000.0 + 15.0 * np.arange(7)
        xe = 2.5 * np.arange(41)
        post = np.random.default_rng(1).random((6, 40))
        post /= post.sum(axis=1, keepdims=True)
        ax = plots.posterior(post, te, xe, slope_cm_per_s=500.0, intercept_cm=20.0)
        np.testing.assert_array_equal(np.asarray(ax.collections[0].get_array()).ravel(),
                                      post.T.ravel())
        x, y = ax.lines[0].get_data()
        np.testing.assert_allclose(x, te - 1000.0)               # ms from the first edge
        np.testing.assert_allclose(y, 20.0 + 500.0 * (te - 1000.0) * 1e-3)

    def test_event_spikes_at_field_centres(self):
        a, z = 5000.0, 5400.0
        RUN_EVENT = _with_event(RUN, a, z)
        edges = 2.5 * np.arange(41)
        post = np.full((27, 40), 1 / 40)
        fig = plots.replay_event(RUN_EVENT, 0, "pc", post=post,
                                 tbin_edges_ms=a + 15.0 * np.arange(28), xbin_edges_cm=edges,
                                 slope_cm_per_s=250.0, intercept_cm=0.0)
        ax1 = fig.axes[0]
        xy = ax1.collections[0].get_offsets()
        t, ids = RUN.spikes_in("pc", a, z)
        c = RUN.place_fields["place"]["center_cm"]
        keep = ~np.isnan(c[ids])
        self.assertGreater(keep.sum(), 5)
        np.testing.assert_allclose(xy[:, 0], t[keep] - a)
        np.testing.assert_array_equal(xy[:, 1], c[ids[keep]])
        self.assertIn("event 0", ax1.get_title())

    @unittest.skipUnless(HAVE_ANALYSIS, "hebbsleep.analysis absent")
    def test_decoded_line_has_the_detectors_slope(self):
        e = RUN.replay_events
        self.assertGreater(e.n_rows, 0)
        for k in range(e.n_rows):
            post, te, xe, slope, icpt = plots.decode_event(RUN, k)
            self.assertEqual(post.shape, (len(te) - 1, len(xe) - 1))
            np.testing.assert_allclose(post.sum(axis=1), 1.0)
            self.assertAlmostEqual(slope, e["slope_cm_per_s"][k], places=6)
            self.assertAlmostEqual(te[0], e["start_ms"][k])


def _with_event(run, a, z):
    """run with one replay event [a, z) in place of its own (the plot's
    input, not a detection)."""
    import copy
    r = copy.copy(run)
    cols = {c: np.array(v[:1]) for c, v in run.replay_events.items()}
    cols["start_ms"], cols["stop_ms"] = np.array([a]), np.array([z])
    r.replay_events = hebbsleep.Table(cols, run.replay_events.attrs)
    return r


class TestWeights(PlotTest):
    def _order(self):
        c = RUN.place_fields["place"]["center_cm"]
        o = np.argsort(c, kind="stable")
        return o[~np.isnan(c[o])], c

    def test_matrix_rows_and_columns_sorted_by_field_centre(self):
        ax = plots.weight_matrix(RUN, "ee", 2)
        img = np.asarray(ax.images[0].get_array())
        o, c = self._order()
        self.assertTrue(np.all(np.diff(c[o]) >= 0))
        np.testing.assert_array_equal(img, RUN.weight_matrix("ee", 2)[np.ix_(o, o)])
        self.assertEqual(ax.images[0].colorbar.ax.get_ylabel(), "weight (nS)")

    def test_learning_shows_forward_potentiation(self):
        # STDP on a one-way track strengthens earlier -> later fields:
        # the upper triangle of the sorted matrix after wake outweighs the lower
        img = np.asarray(plots.weight_matrix(RUN, "ee", "000002").images[0].get_array())
        self.assertGreater(np.triu(img, 1).sum(), 1.5 * np.tril(img, -1).sum())

    def test_key_snapshots_and_one_colour_scale(self):
        k = plots.key_snapshots(RUN, "ee")
        t = {name: RUN.weights["ee"][i].t_ms for name, i in k.items()}
        self.assertEqual(t, {"before wake": 1000.0, "after wake": 13000.0,
                             "after sleep": 16000.0})
        fig = plots.weight_matrices(RUN, "ee")
        panels = [a for a in fig.axes if a.images]
        self.assertEqual(len(panels), 3)
        self.assertEqual(len({a.images[0].get_clim() for a in panels}), 1)
        o, _ = self._order()
        for a, i in zip(panels, k.values()):
            np.testing.assert_array_equal(np.asarray(a.images[0].get_array()),
                                          RUN.weight_matrix("ee", i)[np.ix_(o, o)])


class TestDownscaling(PlotTest):
    def test_fit_and_rho_are_those_of_the_data(self):
        s0, s1 = RUN.weights["ee"][2], RUN.weights["ee"][3]
        ax = plots.downscaling(RUN, "ee", 2, 3, max_points=None)
        a, c = np.polyfit(s0.weight, s1.weight, 1)
        rho = spearmanr(s0.weight, s1.weight).correlation
        x, y = ax.lines[0].get_data()
        self.assertAlmostEqual((y[1] - y[0]) / (x[1] - x[0]), a, places=9)
        self.assertAlmostEqual(y[0] - a * x[0], c, places=9)
        np.testing.assert_allclose(ax.fit, (a, c, rho))
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        self.assertIn("rho = %.3f" % rho, labels[0])
        self.assertIn("%.3f w_pre" % a, labels[1])
        np.testing.assert_array_equal(ax.collections[0].get_offsets(),
                                      np.column_stack((s0.weight, s1.weight)))
        # 3 s of downscaling at 2 %/s shrinks every weight: a < 1
        self.assertLess(a, 0.99)

    def test_thinning_draws_a_subset_but_fits_all(self):
        ax = plots.downscaling(RUN, "ee", "000002", "000003", max_points=500)
        s0, s1 = RUN.weights["ee"][2], RUN.weights["ee"][3]
        xy = ax.collections[0].get_offsets()
        self.assertEqual(len(xy), 500)
        self.assertTrue(np.all(np.isin(xy[:, 0], s0.weight)))   # real synapses
        self.assertTrue(np.all(np.isin(xy[:, 1], s1.weight)))
        self.assertAlmostEqual(ax.fit[0], np.polyfit(s0.weight, s1.weight, 1)[0], places=9)


if __name__ == "__main__":
    unittest.main()
