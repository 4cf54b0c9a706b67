package chat.fleet;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whether a local application instance gives freed native memory back to the system. */
class NativeHeapTrimTest {
  @Test
  void aJvmThatCanTrimIsAskedToEveryFiveSeconds() {
    assertEquals(List.of("-XX:+UnlockExperimentalVMOptions", "-XX:TrimNativeHeapInterval=5000"),
        LocalProcessInstanceProvider.nativeHeapOptions(List.of("-Xmx48m"), name -> true));
  }

  @Test
  void aJvmWithoutTheOptionStartsWithoutIt() {
    assertEquals(List.of(), LocalProcessInstanceProvider.nativeHeapOptions(List.of("-Xmx48m"), name -> false));
  }

  @Test
  void optionsThatSetTheIntervalThemselvesWin() {
    assertEquals(List.of(), LocalProcessInstanceProvider.nativeHeapOptions(
        List.of("-XX:+UnlockExperimentalVMOptions", "-XX:TrimNativeHeapInterval=0"), name -> true));
  }

  @Test
  void theOptionIsLookedUpInThisJvm() {
    assertTrue(LocalProcessInstanceProvider.jvmHasOption("UseSerialGC"));
    assertFalse(LocalProcessInstanceProvider.jvmHasOption("NoSuchOptionAnywhere"));
  }
}
