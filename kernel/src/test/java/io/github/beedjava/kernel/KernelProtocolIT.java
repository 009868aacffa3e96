package io.github.beedjava.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Jupyter messaging protocol, checked by Debian's jupyter_kernel_test against this kernel:
 * kernel_info, execute_result, display_data, stdout/stderr, completion, is_complete, inspect,
 * errors and interrupt (src/test/python/test_kernel_protocol.py).
 */
class KernelProtocolIT {
  @Test
  void jupyterKernelTestSuitePasses() throws Exception {
    Path script = Path.of("src/test/python/test_kernel_protocol.py").toAbsolutePath();
    Path log = ExternalTools.target().resolve("it-protocol.log");
    int code = ExternalTools.run(List.of("/usr/bin/python3", script.toString(), "-v"),
        log, 600);
    assertEquals(0, code, "kernel protocol tests failed:\n" + Files.readString(log));
  }
}
