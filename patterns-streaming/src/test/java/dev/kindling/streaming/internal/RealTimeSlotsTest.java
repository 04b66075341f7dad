package dev.kindling.streaming.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RealTimeSlotsTest {
    @Test
    void aLocalMasterHasItsThreadsAsSlotsAndAClusterItsDefaultParallelism() {
        assertThat(RealTimeCheck.totalSlots("local", 7)).isEqualTo(1);
        assertThat(RealTimeCheck.totalSlots("local[4]", 7)).isEqualTo(4);
        assertThat(RealTimeCheck.totalSlots("local[3, 2]", 7)).isEqualTo(3);
        assertThat(RealTimeCheck.totalSlots("local[*]", 7)).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(RealTimeCheck.totalSlots("local-cluster[2, 3, 1024]", 7)).isEqualTo(6);
        assertThat(RealTimeCheck.totalSlots("spark://10.0.0.1:7077", 7)).isEqualTo(7);
        assertThat(RealTimeCheck.totalSlots("k8s://https://kube:6443", 12)).isEqualTo(12);
    }
}
