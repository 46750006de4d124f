"""Sums over each citizen's network neighbours, compiled, with the neighbours fetched ahead.

The month's one product over the social network (:func:`coprod.model.network.neighbour_sums`)
bounds the step at scale. Most ties are to the next citizens in the same neighbourhood, whose
values sit beside the citizen's own; about one in nine (rewired ties and ties across
neighbourhoods, :mod:`coprod.model.network`) is to anyone in a neighbourhood or municipality of
up to millions. With ten million citizens those values are far out of the processor's caches,
and a plain loop (SciPy's sparse product) waits for each from memory in turn: at 10,000,000
citizens in eight neighbourhoods, 18 times the product at 1,000,000. The loop here asks the
memory for the value it will need :data:`PREFETCH_AHEAD` ties later while it adds the current
one, so the waits overlap (measured in docs/performance.md).

The sums are those of ``adjacency @ values`` bit for bit: the ties of a 0/1 adjacency, each
row's in the order the matrix stores them, added one after another in single precision, as
SciPy adds them; the matrix's values (all ones) are not read.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

#: How many ties ahead the loop asks for a neighbour's values. At 64 to 256 the product at
#: 10,000,000 citizens took 150-220 ms against 290-550 ms without asking (docs/performance.md).
PREFETCH_AHEAD = 128


@intrinsic
def _prefetch(typingctx, array, row):
    """Ask the memory for ``array[row]`` (a hint: no value, no fault if the row is bad)."""

    def codegen(context, builder, signature, args):
        array_type, row_type = signature.args
        view = context.make_array(array_type)(context, builder, args[0])
        at = context.cast(builder, args[1], row_type, types.intp)
        first = context.get_constant(types.intp, 0)
        pointer = cgutils.get_item_pointer(
            context, builder, array_type, view, [at, first], wraparound=False
        )
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        hint = ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32])
        function = cgutils.get_or_insert_function(builder.module, hint, "llvm.prefetch.p0i8")
        # read (0), keep in all cache levels (3), data (1)
        builder.call(
            function,
            [builder.bitcast(pointer, byte_pointer), i32(0), i32(3), i32(1)],
        )
        return context.get_dummy_value()

    return types.void(array, row), codegen


@njit(cache=True, nogil=True)
def _sums(indptr, indices, values, out, ahead_by):
    n_ties = len(indices)
    columns = values.shape[1]
    for row in range(len(indptr) - 1):
        for tie in range(indptr[row], indptr[row + 1]):
            ahead = tie + ahead_by
            if ahead < n_ties:
                _prefetch(values, indices[ahead])
            neighbour = indices[tie]
            for column in range(columns):
                out[row, column] += values[neighbour, column]


def neighbour_sums(indptr: np.ndarray, indices: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each row's sum of ``values`` over its ties: ``(rows, columns)`` single precision.

    Args:
        indptr: where each row's ties start, of a 0/1 adjacency in compressed sparse rows
            (SciPy's ``csr_matrix``).
        indices: the neighbour of each tie, each row's in the order the matrix keeps them.
        values: ``(citizens, columns)`` single precision, C order.
    """
    out = np.zeros((len(indptr) - 1, values.shape[1]), dtype=np.float32)
    _sums(indptr, indices, values, out, PREFETCH_AHEAD)
    return out
