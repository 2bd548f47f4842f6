# Prompt pools of BP4D-Spontaneous's eight tasks (docs/datasets.md): the six
# basic expressions of Table I (T1 happy, T2 sad, T3 surprise, T5 fear, T7
# angry, T8 disgust) plus the two emotions BP4D elicits beyond them, T4
# embarrassment and T6 pain. T5 elicits fear / nervousness: its pool is Table
# I's fear pool with two nervousness prompts added. Data only; extend freely.
_base_ = ['./basic_emotions.py']
prompt_pools = dict(
    fear=['a fearful facial expression', 'a person appearing afraid',
          'a face with fear expression', 'a nervous, anxious face',
          'a person looking tense and nervous'],
    embarrassment=['an embarrassed facial expression', 'a face with embarrassment expression',
                   'a person smiling awkwardly in embarrassment',
                   'a person looking away, embarrassed'],
    pain=['a face with pain expression', 'a person grimacing in pain',
          'a pained facial expression', 'a face tensed and squinting from pain'],
)
