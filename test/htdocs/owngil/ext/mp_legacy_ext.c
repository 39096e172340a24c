/* An extension module with single-phase init (no Py_mod_multiple_
 * interpreters slot): CPython refuses it in an interpreter that has its
 * own GIL.  Built by test/integration/test_170_owngil.py. */
#include <Python.h>

static struct PyModuleDef legacy_def = {
    PyModuleDef_HEAD_INIT, "mp_legacy_ext", NULL, -1, NULL,
};

PyMODINIT_FUNC
PyInit_mp_legacy_ext(void)
{
    return PyModule_Create(&legacy_def);
}
