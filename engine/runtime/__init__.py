"""The session's runtime: how a graph's ops become a callable plan, and the state plans run against.

`engine/session.py` is the client (fetch structures, feeds, TF's errors); everything it runs comes from
here, one concern per module:

=========================  ==========================================================================
state.py                   per-session state: `VariableCell`s, random generators, compiled kernels
graph_watch.py             what plans assumed about the graph; when a graph change invalidates them
plan.py                    `Planner.build`: prune -> lower -> executor; `Plan` and its guarded variants
prune.py                   needed ops in dependency order (pass `dependency_optimizer`)
lowering.py                ops -> `Program` of steps (pass `kernel_elision`; calls the passes below)
constant_folding.py        pass `constant_folding`
shape_specialisation.py    pass `shape_specialisation` (and the shape oracle forwarding uses)
binding.py                 pass `bound_kernels`
forwarding.py              pass `buffer_forwarding`
frees.py                   pass `last_use_frees`
passes.py                  the pass names and the ENGINE_PLAN_PASSES knob
straight_line.py           the executor: a Program as one generated Python function
dataflow.py                the executor of plans with control flow: frames, iterations, dead tensors
frame_compile.py           pass `frame_compilation`: a plain while loop as one generated function
deferred_products.py       pass `deferred_products`: a compiled loop's accumulated A^T B as one GEMM
narrowed_products.py       pass `narrowed_products`: only the product columns a compiled loop reads
scalar_operators.py        pass `scalar_operators`: a compiled loop's scalar ops on numpy's scalar math
cond_specialisation.py     pass `cond_specialisation`: plans per value of conds' predicates known up front
blas_threads.py            BLAS's thread count while a session runs (intra_op_parallelism_threads, load)
heap.py                    freed array memory kept in the process (glibc's mmap and trim thresholds)
tracing.py                 traced runs: a second Planner whose hook times every kernel; RunMetadata
=========================  ==========================================================================

Executors
---------
A `Program` (lowering.py) is executor-independent: steps naming the values they read and define.  An
executor is a module with `compile_program(program) -> object with fn(*feeds) and failing_op(exc)`,
registered in `plan.EXECUTORS`.  `Planner.build` gives a plan whose ordered ops include frame ops
(registry flag `control_flow`) to the dataflow executor, every other one to the straight-line executor,
so graphs without control flow keep the straight-line fast path.  Inside a dataflow plan, each plain
while loop is compiled to one step that runs the whole loop as generated straight-line code.
"""
