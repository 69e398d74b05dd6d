// The posteriordb posteriors checked here: short name → posteriordb name and the data fields kept.
// targetAccept: the reference run's own setting, where it was not Stan's default 0.8; alsoTargetAccept:
// one more setting run beside it for comparison (eval/POSTERIORDB.md).
// Each has a hand-written log-density module eval/posteriordb/<short>.mjs and a fixture <short>.json.
export const POSTERIORS = {
  eight_schools: { posterior: 'eight_schools-eight_schools_noncentered', data: ['J', 'y', 'sigma'], targetAccept: 0.95, alsoTargetAccept: 0.9 },
  kidiq: { posterior: 'kidiq-kidscore_momhsiq', data: ['N', 'kid_score', 'mom_hs', 'mom_iq'] },
  kilpisjarvi: { posterior: 'kilpisjarvi_mod-kilpisjarvi', data: ['N', 'x', 'y', 'pmualpha', 'psalpha', 'pmubeta', 'psbeta'] },
  mesquite: { posterior: 'mesquite-logmesquite_logvas', data: ['N', 'weight', 'diam1', 'diam2', 'canopy_height', 'total_height', 'density', 'group'] },
  blr: { posterior: 'sblrc-blr', data: ['N', 'D', 'X', 'y'] },
  arK: { posterior: 'arK-arK', data: ['K', 'T', 'y'] },
  garch: { posterior: 'garch-garch11', data: ['T', 'y', 'sigma1'] },
};
