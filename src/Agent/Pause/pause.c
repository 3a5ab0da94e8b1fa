/*
 * The pause program of awsvpc tasks. It is the only process of the container that holds a task's network namespace
 * (its address on the host's awsvpc interface); the task's containers join that namespace. It does nothing but wait,
 * and exits at once, with status 0, on SIGTERM or SIGINT, so the agent can stop it last without waiting for a kill.
 *
 * Built static (build.sh) so that the image the agent makes of it holds this one file and nothing else.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

static void stop(int signal_number)
{
    (void)signal_number;
    _exit(0);
}

int main(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = stop;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    for (;;)
    {
        pause();
    }
}
