"""The worker side: everything imported inside the sandbox, in the same processes as the student's code (the
fork server, the zygote, each test's worker loop, the probe helpers, the recorders and the calibration). Nothing
here may import the judge's modules: what runs here is untrusted once the submission is loaded, so it reports
plain data and never decides a score."""
