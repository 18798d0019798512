"""The judge: the trusted process that grades one submission. It runs the hidden tests through pytest (the
plugin, the session and the probe handle), never imports the submission, and turns what the workers answer
into results (results.json, JUnit XML, the score table). Nothing here runs inside the sandbox."""
