import { useState, type FormEvent } from 'react';
import { Box, Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconMessage } from '@tabler/icons-react';
import { ApiError } from '../../api/client';
import { api } from '../../api/endpoints';
import type { IncidentDetail } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { useIncidentMutation } from '../../hooks/use-incidents';
import { fieldMessage } from '../../lib/forms';
import { Card } from './Card';

/** The customer admin's message to Claresia; while Claresia waits on the customer, sending it resumes the restoration clock. */
export function ReplyForm({ incident: i }: { incident: IncidentDetail }) {
  const [body, setBody] = useState('');
  const [touched, setTouched] = useState(false);
  // The open question, if any: the reply answers it in place (the API links them; answering resumes the clock).
  const question = i.customerQuestions.find((q) => q.state === 'open');
  const m = useIncidentMutation(i.id, (b: string) => api.reply(i.id, b, question?.id));
  const empty = body.trim().length === 0;
  const serverError = m.error instanceof ApiError ? m.error.fieldMap().body : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (empty) return;
    m.mutate(body, {
      onSuccess: () => {
        setBody('');
        setTouched(false);
        notifications.show({
          color: 'green',
          message: i.status === 'waiting_on_customer' ? 'Reply sent; the restoration clock runs again.' : 'Reply sent to Claresia.',
        });
      },
    });
  };
  return (
    <Card
      title={
        question
          ? 'Answer Claresia (they are waiting on you)'
          : i.status === 'waiting_on_customer'
            ? 'Reply to Claresia (they are waiting on you)'
            : 'Reply to Claresia'
      }
      id="reply"
    >
      <form onSubmit={submit} noValidate aria-label={question ? 'Answer the question' : 'Reply to Claresia'}>
        <Stack gap="sm">
          {question && (
            <Box data-testid="reply-question">
              <Text size="sm" fw={600}>
                {question.askedBy} asked:
              </Text>
              <Text size="sm" className="prewrap break" id={`question-${question.id}`}>
                {question.body}
              </Text>
            </Box>
          )}
          <Textarea
            label={question ? 'Your answer' : 'Your message'}
            description="Answers to questions, new observations, timestamps. Never paste passwords or API keys."
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
            error={touched && empty ? 'Write a message first' : serverError ? fieldMessage(serverError) : undefined}
            autosize
            minRows={3}
            required
          />
          {m.error && !serverError && <ApiErrorAlert error={m.error} />}
          <Group justify="flex-end">
            <Button type="submit" loading={m.isPending} leftSection={<IconMessage size={16} aria-hidden />}>
              {question ? 'Send answer' : 'Send reply'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** Resolved but not fixed after all: reopen, with the reason in the audit trail. */
export function ReopenForm({ incident: i }: { incident: IncidentDetail }) {
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const m = useIncidentMutation(i.id, (r: string) => api.reopen(i.id, r));
  const empty = reason.trim().length === 0;
  const serverError = m.error instanceof ApiError ? m.error.fieldMap().reason : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (empty) return;
    m.mutate(reason, { onSuccess: () => notifications.show({ color: 'green', message: `${i.reference} reopened; the restoration clock runs again.` }) });
  };
  return (
    <Card title="Not fixed after all?" id="reopen">
      <form onSubmit={submit} noValidate aria-label="Reopen the incident">
        <Stack gap="sm">
          <Textarea
            label="Why reopen"
            description="What is still failing, since when. It goes to the audit trail."
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={touched && empty ? 'Say what is still failing' : serverError ? fieldMessage(serverError) : undefined}
            autosize
            minRows={2}
            required
          />
          {m.error && !serverError && <ApiErrorAlert error={m.error} />}
          <Group justify="flex-end">
            <Button type="submit" variant="outline" color="red" loading={m.isPending}>
              Reopen incident
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
