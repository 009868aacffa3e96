"""Jupyter protocol tests of the beed-java kernel (Debian's python3-jupyter-kernel-test).

Run by KernelProtocolIT with JUPYTER_PATH pointing at kernel/target/jupyter.
"""
import time
import unittest

import jupyter_kernel_test


class BeedKernelProtocolTests(jupyter_kernel_test.KernelTests):
    kernel_name = "beed-java"
    language_name = "java"
    file_extension = ".jshell"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("to stderr");'
    completion_samples = [{"text": "Syste", "matches": {"System"}}]
    complete_code_samples = ["1 + 1", "int answer = 42;", "class A { int f() { return 1; } }"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "int f(int x) {"]
    code_execute_result = [{"code": "6 * 7", "result": "42"}, {"code": '"beed".length()', "result": "4"}]
    code_display_data = [
        {"code": 'display(html("<b>bold</b>"));', "mime": "text/html"},
        {"code": "display(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB));", "mime": "image/png"},
    ]
    code_inspect_sample = "Math.max"
    code_generate_error = 'throw new RuntimeException("expected");'

    def run_cell(self, code, timeout=60):
        self.flush_channels()
        reply, outputs = self.execute_helper(code=code, timeout=timeout)
        return reply, outputs

    def test_kernel_info_status_ok(self):
        self.flush_channels()
        msg_id = self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=10)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(reply["content"]["language_info"]["name"], "java")
        self.flush_channels()

    def test_runtime_error_names_the_exception(self):
        reply, outputs = self.run_cell('throw new IllegalStateException("demo failure");')
        self.assertEqual(reply["content"]["status"], "error")
        errors = [o for o in outputs if o["msg_type"] == "error"]
        self.assertEqual(len(errors), 1)
        self.assertIn("java.lang.IllegalStateException: demo failure", errors[0]["content"]["evalue"])
        self.assertTrue(any("IllegalStateException" in line for line in errors[0]["content"]["traceback"]))

    def test_compile_error_names_the_line(self):
        reply, outputs = self.run_cell('int x = 1;\nString s = 2;')
        self.assertEqual(reply["content"]["status"], "error")
        error = [o for o in outputs if o["msg_type"] == "error"][0]["content"]
        self.assertIn("Compilation failed", error["evalue"])
        self.assertIn("incompatible types", error["evalue"])

    def test_tablesaw_table_renders_as_html_and_text(self):
        reply, outputs = self.run_cell(
            'Table.create("demo", DoubleColumn.create("acc", new double[] {80.5, 81.25}))')
        self.assertEqual(reply["content"]["status"], "ok")
        data = [o for o in outputs if o["msg_type"] == "execute_result"][0]["content"]["data"]
        self.assertIn("<table", data["text/html"])
        self.assertIn("81.25", data["text/plain"])

    def test_interrupt_stops_the_cell_and_the_kernel_stays_usable(self):
        self.flush_channels()
        msg_id = self.kc.execute("Thread.sleep(60_000);")
        time.sleep(2)
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=20)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=20)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("Interrupted", reply["content"]["evalue"])
        self.flush_channels()
        reply, outputs = self.run_cell("40 + 2")
        self.assertEqual(reply["content"]["status"], "ok")
        result = [o for o in outputs if o["msg_type"] == "execute_result"][0]
        self.assertEqual(result["content"]["data"]["text/plain"], "42")


if __name__ == "__main__":
    unittest.main()
