"""Speed and memory benchmarks of coprod: ``python -m benchmarks`` writes benchmarks/RESULTS.md.

The measurements and their sizes, seeds, replications and steps are data in
:mod:`benchmarks.configurations`; :mod:`benchmarks.baseline` is the same model stepped agent by
agent the plain Mesa way, which coprod is compared against. Benchmarks are not timed tests.
"""
